import { redactUrlsIn } from '@sluice/core';
import type { StatusReport } from '../status/collect.ts';
import { FreshnessHistory, type UiHistory } from './history.ts';

/**
 * Collects the status every `intervalMs` (one collection at a time; a slow one delays the next),
 * keeps the last report for `/api/status` and each sink's target freshness for the plot. A failed
 * collection keeps the last report and says why.
 */
export class Sampler {
  readonly history: FreshnessHistory;
  latest: StatusReport | undefined;
  lastError: { at: string; message: string } | null = null;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly collect: () => Promise<StatusReport>;
  readonly intervalMs: number;

  constructor(collect: () => Promise<StatusReport>, intervalMs: number, windowMs = 3_600_000) {
    this.collect = collect;
    this.intervalMs = intervalMs;
    this.history = new FreshnessHistory(windowMs, intervalMs);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** One collection: the report kept, its freshness values sampled. */
  async sample(): Promise<void> {
    try {
      const r = await this.collect();
      this.latest = r;
      this.lastError = null;
      this.history.add(
        Date.parse(r.at),
        r.sinks.map((s) => ({ name: s.group.name, freshnessSeconds: s.freshnessSeconds })),
      );
    } catch (err) {
      this.lastError = { at: new Date().toISOString(), message: redactUrlsIn((err as Error)?.message ?? String(err)) };
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const t0 = Date.now();
      await this.sample();
      if (this.stopped) break;
      const wait = Math.max(0, this.intervalMs - (Date.now() - t0));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** No more collections; resolves once one in flight has ended (its connections are in use until then). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** What `/api/history` answers. */
  snapshot(nowMs = Date.now()): UiHistory {
    return {
      now: nowMs,
      windowMs: this.history.windowMs,
      intervalMs: this.intervalMs,
      freshness: this.history.series(nowMs),
      lastError: this.lastError,
    };
  }
}
