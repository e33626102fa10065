import { createKafka, createLogger, type KafkaAdmin } from '@sluice/core';

/**
 * Follows a consumer group's committed offsets on one topic. The sink commits a batch's offsets
 * only after the target transaction of that batch committed, so committed offsets at the end of
 * the topic mean every record is applied (a row count on the target then confirms it).
 */
export class GroupProgress {
  private readonly admin: KafkaAdmin;
  private connected = false;

  constructor(brokers: string[]) {
    this.admin = createKafka({ brokers, clientId: 'sluice-bench', log: createLogger('bench', 'error') }).admin();
  }

  async committed(groupId: string, topic: string): Promise<number> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    const [t] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  }

  /**
   * Polls every `everyMs` until the group's committed offsets reach `end`; resolves with the time
   * (performance.now()) that was first seen. `progress` is called about every 10 s.
   */
  async until(opts: {
    groupId: string;
    topic: string;
    end: number;
    alive: () => boolean;
    progress?: (committed: number) => void;
    everyMs?: number;
    timeoutMs?: number;
  }): Promise<number> {
    const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
    let told = Date.now();
    for (;;) {
      const committed = await this.committed(opts.groupId, opts.topic);
      if (committed >= opts.end) return performance.now();
      if (!opts.alive()) throw new Error(`the sink exited with offsets committed up to ${committed} of ${opts.end}`);
      if (Date.now() > deadline)
        throw new Error(`offsets committed up to ${committed} of ${opts.end} after ${opts.timeoutMs} ms`);
      if (opts.progress && Date.now() - told >= 10_000) {
        told = Date.now();
        opts.progress(committed);
      }
      await new Promise((r) => setTimeout(r, opts.everyMs ?? 100));
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => undefined);
  }
}
