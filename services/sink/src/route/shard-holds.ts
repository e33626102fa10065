import type { BatchPayload, Logger, SluiceError } from '@sluice/core';

/** How long a held shard's partition stays paused before it tries again. */
export const HOLD_RETRY_MS = 5_000;

/** A shard of a merged table waits for the others (SHARD_DDL_PENDING): pause its partition, not the sink. */
export const holdsShard = (e: unknown): boolean => (e as SluiceError)?.code === 'SHARD_DDL_PENDING';

/**
 * Partitions of shards held by a pending merged-table change. A held partition is paused, so that
 * the fetcher keeps serving the other shards (whose progress is what releases the hold: no
 * deadlock), and resumed after HOLD_RETRY_MS to fetch the held batch again from its last
 * committed offset (what of it was applied is applied again: idempotent). Logged when a hold
 * starts or its reason changes, and when it is released.
 */
export class ShardHolds {
  private readonly log: Logger;
  private readonly reasons = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(log: Logger) {
    this.log = log;
  }

  hold(p: BatchPayload, err: SluiceError): void {
    const { topic, partition } = p.batch;
    const key = `${topic}\0${partition}`;
    if (this.reasons.get(key) !== err.message) {
      this.reasons.set(key, err.message);
      this.log.warn({ code: err.code, topic, partition }, `shard held: ${err.message}`);
    }
    const resume = p.pause();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      resume();
    }, HOLD_RETRY_MS);
    this.timers.add(timer);
  }

  /** The partition applied a batch: a hold it was in is over. */
  released(topic: string, partition: number): void {
    const key = `${topic}\0${partition}`;
    if (!this.reasons.has(key)) return;
    this.reasons.delete(key);
    this.log.info({ topic, partition }, 'shard released: the merged table took the change');
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
