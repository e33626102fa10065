import { type Component, createKafka, kafkaUnreachable, type Logger, ProgressMonitor, SluiceError } from '@sluice/core';
import { CaptureRun, STATE } from './capture.ts';
import type { CaptureConfig } from './config.ts';
import type { CaptureMetrics } from './observe/capture-metrics.ts';
import { StatusNotes } from './observe/status-notes.ts';
import { QueryCaptureRun } from './tidb/query-capture.ts';

/** What the supervisor needs of a run: CaptureRun, or a stand-in in unit tests. */
export interface SupervisedRun {
  /** Streaming (or snapshotting): a failure after this starts a new series of restarts. */
  readonly ready: boolean;
  /** Resolves when the run ends by stop(); rejects with a classified SluiceError on failure. */
  run(): Promise<void>;
  stop(): Promise<void>;
  /** Whether another instance with this capture id started after this run did (takeover.ts). */
  replaced(): Promise<boolean>;
}

export interface SupervisorDeps {
  newRun?: (progress: ProgressMonitor) => SupervisedRun;
  /** Waits between runs; unit tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Where failures and stops are noted for `sluice status` (observe/status-notes.ts). */
  notes?: Pick<StatusNotes, 'failing' | 'stopped' | 'running' | 'close'>;
}

const sleepFor = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Longest wait before a new run after a failed one. */
export const RETRY_CAP_MS = 3_000;

/**
 * Keeps capture running: a run that fails with a retriable error (source or Kafka gone, binlog
 * connection dropped) is replaced by a new run after a jittered backoff. Every run resumes from
 * the committed checkpoint, so the operator never has to restart anything by hand. A
 * non-retriable error (bad settings, fenced by another instance) ends supervision.
 */
export class CaptureSupervisor {
  private readonly cfg: CaptureConfig;
  private readonly log: Logger;
  private current: SupervisedRun | undefined;
  private readonly newRun: (progress: ProgressMonitor) => SupervisedRun;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly notes: Pick<StatusNotes, 'failing' | 'stopped' | 'running' | 'close'>;
  private stopped = false;
  private wakeSleep: (() => void) | undefined;

  private readonly metrics: CaptureMetrics;
  /** Outcomes of every run's operations with the source, Kafka and the registry. */
  readonly progress: ProgressMonitor;
  private everReady = false;
  /** When the first of the runs failing in a row failed, and its code (readiness). */
  private failing: { since: number; code: string } | undefined;

  constructor(cfg: CaptureConfig, log: Logger, metrics: CaptureMetrics, progress?: ProgressMonitor, deps: SupervisorDeps = {}) {
    this.cfg = cfg;
    this.newRun =
      deps.newRun ??
      ((p) =>
        this.cfg.source.kind === 'tidb'
          ? new QueryCaptureRun(this.cfg, this.log, this.metrics, p)
          : new CaptureRun(this.cfg, this.log, this.metrics, p));
    this.sleep = deps.sleep ?? sleepFor;
    this.notes =
      deps.notes ??
      new StatusNotes(
        createKafka({
          brokers: cfg.kafka.brokers,
          tls: cfg.kafka.tls,
          sasl: cfg.kafka.sasl,
          clientId: `${cfg.kafka.clientId}-capture-status`,
          log,
        }),
        cfg.topicPrefix,
        cfg.captureId,
        log,
      );
    this.log = log;
    this.metrics = metrics;
    this.progress = progress ?? new ProgressMonitor({ graceMs: cfg.http.readyGraceMs });
  }

  get ready(): boolean {
    return this.readiness().ok;
  }

  /**
   * Not ready before the first run streams (or snapshots); after that, ready unless a component has
   * been unreachable for the grace period, or runs have failed without one streaming for as long.
   */
  readiness(): { ok: boolean; reason?: string } {
    if (this.current?.ready) {
      this.everReady = true;
      this.failing = undefined;
    }
    const r = this.progress.readiness();
    if (!this.everReady) return { ok: false, reason: r.ok ? 'not streaming yet' : `not streaming yet: ${r.reason}` };
    if (!r.ok) return r;
    const f = this.failing;
    const down = f ? Date.now() - f.since : 0;
    if (f && down >= this.progress.graceMs) {
      return { ok: false, reason: `capture restarting for ${Math.round(down / 1000)} s (last error ${f.code})` };
    }
    return { ok: true };
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const run = this.newRun(this.progress);
      this.current = run;
      const started = Date.now();
      // After failures, the first run that streams again says so (status stops showing the failure).
      const recovered = failures > 0 ? this.noteWhenStreaming(run) : undefined;
      try {
        await run.run();
        return;
      } catch (err) {
        // A run that streamed was a success: its failure starts a new series (short first delay).
        const streamed = run.ready;
        await run.stop();
        if (this.stopped) return;
        const e = err as SluiceError;
        if (!(e instanceof SluiceError) || !e.retriable) {
          // Fenced: another instance runs under this capture id, and its state is the one to show.
          const stop = SluiceError.from(err, 'SOURCE_SETTING');
          if (stop.code !== 'KAFKA_FENCED') await this.notes.stopped(stop);
          throw err;
        }
        // A Kafka failure may be a takeover that Kafka did not call one: restarting would fence
        // the newcomer. Its start marker tells (takeover.ts).
        // Not when no broker answered at all: that is an outage, which says nothing of a newcomer,
        // and the check would wait for Kafka (and a consumer group) before the restart.
        if (e.code.startsWith('KAFKA_') && !kafkaUnreachable(e) && (await this.replacedBy(run))) {
          throw new SluiceError(
            'KAFKA_FENCED',
            'another capture with the same captureId took over (its start marker follows this one)',
            {
              cause: e,
            },
          );
        }
        failures = streamed || Date.now() - started > 60_000 ? 1 : failures + 1;
        if (failures === 1 || !this.failing) this.failing = { since: Date.now(), code: e.code };
        else this.failing.code = e.code;
        const component = componentOf(e.code);
        if (component) this.progress.failed(component, e);
        this.metrics.state.set(STATE.failed);
        this.metrics.lastError.reset();
        this.metrics.lastError.set({ code: e.code }, Date.now() / 1000);
        // Not awaited: with Kafka down the note waits, the restart must not (status-notes.ts).
        void this.notes.failing(e, failures, this.failing.since);
        // Capped at 3 s (jittered between half and all of it): an outage of any length ends in a
        // restart within seconds of the component coming back (a 30 s cap made a 10 s source
        // outage cost 27 s more; with 5 s, a run's start on a busy host took the first commit
        // after a 10 s source outage to 10 s).
        const cap = Math.min(RETRY_CAP_MS, 500 * 2 ** failures);
        const delay = Math.round(cap / 2 + (Math.random() * cap) / 2);
        // One failure may be a blip; the same run failing again is an outage the operator must see.
        (failures > 1 ? this.log.error : this.log.warn).call(
          this.log,
          { code: e.code, err: e.message, retryInMs: delay, failures },
          'capture run failed; restarting from the checkpoint',
        );
        await Promise.race([
          this.sleep(delay),
          new Promise<void>((r) => {
            this.wakeSleep = r;
          }),
        ]);
      } finally {
        if (recovered) clearInterval(recovered);
      }
    }
  }

  /** Polls the run until it streams, then notes the capture running again. */
  private noteWhenStreaming(run: SupervisedRun): NodeJS.Timeout {
    const timer: NodeJS.Timeout = setInterval(() => {
      if (!run.ready) return;
      clearInterval(timer);
      void this.notes.running();
    }, 500);
    timer.unref();
    return timer;
  }

  private async replacedBy(run: SupervisedRun): Promise<boolean> {
    // The newcomer sends its marker right after the InitProducerId that broke this run's transaction.
    await this.sleep(1_000);
    try {
      return await run.replaced();
    } catch (err) {
      this.log.warn({ err: String(err) }, 'could not check for a newer instance; restarting');
      return false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleep?.();
    await this.current?.stop();
    await this.notes.close();
  }
}

/** The component whose outage a retriable run failure stands for, by its code. */
function componentOf(code: string): Component | undefined {
  if (code.startsWith('KAFKA_')) return 'kafka';
  if (code.startsWith('REGISTRY_')) return 'registry';
  if (code.startsWith('SOURCE_') || code.startsWith('BINLOG_')) return 'source';
  return undefined;
}
