import { type Logger, SluiceError } from '@sluice/core';
import { CaptureRun, STATE } from './capture.ts';
import type { CaptureConfig } from './config.ts';
import type { CaptureMetrics } from './observe/capture-metrics.ts';

/** Longest wait before a new run after a failed one. */
export const RETRY_CAP_MS = 5_000;

/**
 * Keeps capture running: a run that fails with a retriable error (source or Kafka gone, binlog
 * connection dropped) is replaced by a new run after a jittered backoff. Every run resumes from
 * the committed checkpoint, so the operator never has to restart anything by hand. A
 * non-retriable error (bad settings, fenced by another instance) ends supervision.
 */
export class CaptureSupervisor {
  private readonly cfg: CaptureConfig;
  private readonly log: Logger;
  private current: CaptureRun | undefined;
  private stopped = false;
  private wakeSleep: (() => void) | undefined;

  private readonly metrics: CaptureMetrics;

  constructor(cfg: CaptureConfig, log: Logger, metrics: CaptureMetrics) {
    this.cfg = cfg;
    this.log = log;
    this.metrics = metrics;
  }

  get ready(): boolean {
    return this.current?.ready ?? false;
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const run = new CaptureRun(this.cfg, this.log, this.metrics);
      this.current = run;
      const started = Date.now();
      try {
        await run.run();
        return;
      } catch (err) {
        await run.stop();
        if (this.stopped) return;
        const e = err as SluiceError;
        if (!(e instanceof SluiceError) || !e.retriable) throw err;
        // A Kafka failure may be a takeover that Kafka did not call one: restarting would fence
        // the newcomer. Its start marker tells (takeover.ts).
        if (e.code.startsWith('KAFKA_') && (await this.replacedBy(run))) {
          throw new SluiceError(
            'KAFKA_FENCED',
            'another capture with the same captureId took over (its start marker follows this one)',
            {
              cause: e,
            },
          );
        }
        failures = Date.now() - started > 60_000 ? 1 : failures + 1;
        this.metrics.state.set(STATE.failed);
        this.metrics.lastError.reset();
        this.metrics.lastError.set({ code: e.code }, Date.now() / 1000);
        // Capped at 5 s (jittered between half and all of it): an outage of any length ends in a
        // restart within seconds of the component coming back (a 30 s cap made a 10 s source
        // outage cost 27 s more).
        const cap = Math.min(RETRY_CAP_MS, 500 * 2 ** failures);
        const delay = Math.round(cap / 2 + (Math.random() * cap) / 2);
        // One failure may be a blip; the same run failing again is an outage the operator must see.
        (failures > 1 ? this.log.error : this.log.warn).call(
          this.log,
          { code: e.code, err: e.message, retryInMs: delay, failures },
          'capture run failed; restarting from the checkpoint',
        );
        await new Promise<void>((r) => {
          this.wakeSleep = r;
          setTimeout(r, delay);
        });
      }
    }
  }

  private async replacedBy(run: CaptureRun): Promise<boolean> {
    // The newcomer sends its marker right after the InitProducerId that broke this run's transaction.
    await new Promise((r) => setTimeout(r, 1_000));
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
  }
}
