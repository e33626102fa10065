import { Counter, createMetricsRegistry, Gauge, startHealthServer } from '@sluice/core';
import type { Session } from '../shared/session.ts';
import { runVerify, type VerifyOptions, type VerifyRun } from './run-verify.ts';
import { rowsDifferent, writeVerifyResults } from './verify-results.ts';

/** Prometheus metrics of a following verify (names follow the services'). */
export function followMetrics() {
  const registry = createMetricsRegistry('verify');
  const r = [registry];
  return {
    registry,
    runs: new Counter({ name: 'sluice_verify_runs_total', help: 'verify passes completed', registers: r }),
    failures: new Counter({ name: 'sluice_verify_failures_total', help: 'verify passes that could not run', registers: r }),
    rows: new Gauge({
      name: 'sluice_verify_rows_different',
      help: 'rows found different (missing, extra or changed) per source table in the last pass',
      labelNames: ['table'],
      registers: r,
    }),
    tables: new Gauge({ name: 'sluice_verify_tables_different', help: 'tables that differed in the last pass', registers: r }),
    last: new Gauge({
      name: 'sluice_verify_last_run_timestamp_seconds',
      help: 'when the last pass ended',
      registers: r,
    }),
    seconds: new Gauge({ name: 'sluice_verify_last_run_seconds', help: 'how long the last pass took', registers: r }),
  };
}

export interface FollowOptions {
  intervalMs: number;
  /** Serve /metrics (and /healthz, /readyz once a pass ended) on this port. */
  metricsPort?: number;
  /** Where the sink keeps its checkpoints in the target: each pass's result is written there for `sluice status`. */
  results?: { sink: string; schema: string };
  /** One line per pass: a JSON document (--json) or a sentence. */
  print: (run: VerifyRun | Error) => void;
  /** Told the metrics port once it listens (the one asked for, or the one given for 0). */
  listening?: (port: number) => void;
  signal: AbortSignal;
}

/**
 * `sluice verify --follow` (DM's continuous validator): runs verify pass after pass, `intervalMs`
 * apart, until stopped. Each pass is the full comparison of runVerify (checksums by key range,
 * lag re-checks, rows re-checked against their newest source version), so a difference is reported
 * within one pass plus the interval. It only reads (consistent reads on the target take no locks),
 * so replication is never blocked. Results go to metrics, to the target for `sluice status`, and
 * to stdout. A pass that fails (a side unreachable) is counted and retried next interval.
 */
export async function followVerify(source: Session, target: Session, opts: VerifyOptions, f: FollowOptions): Promise<void> {
  const m = followMetrics();
  let passes = 0;
  const server =
    f.metricsPort === undefined
      ? undefined
      : await startHealthServer({
          host: '127.0.0.1',
          port: f.metricsPort,
          ready: () => (passes > 0 ? { ok: true } : { ok: false, reason: 'first pass running' }),
          metrics: m.registry,
        });
  const address = server?.address();
  if (address && typeof address === 'object') f.listening?.(address.port);
  try {
    while (!f.signal.aborted) {
      const t0 = Date.now();
      try {
        const run = await runVerify(source, target, opts);
        passes++;
        m.runs.inc();
        m.rows.reset();
        for (const t of run.tables) m.rows.set({ table: `${t.source.database}.${t.source.table}` }, rowsDifferent(t));
        m.tables.set(run.tables.filter((t) => rowsDifferent(t) > 0).length);
        if (f.results) await writeVerifyResults(target, f.results.schema, f.results.sink, run);
        f.print(run);
      } catch (err) {
        m.failures.inc();
        f.print(err as Error);
      }
      m.last.set(Date.now() / 1000);
      m.seconds.set((Date.now() - t0) / 1000);
      await new Promise<void>((resolve) => {
        // One listener per wait, removed when the wait ends: a long follow adds none up.
        const done = () => {
          clearTimeout(timer);
          f.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, f.intervalMs);
        f.signal.addEventListener('abort', done, { once: true });
      });
    }
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
