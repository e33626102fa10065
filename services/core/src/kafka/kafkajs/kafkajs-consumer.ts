import type { Consumer } from 'kafkajs';
import { type BatchConsumer, type ConsumerEventMap, ConsumerLeftError, type RunOptions } from '../port/consumer.ts';
import type { PartitionOffset } from '../port/records.ts';

/**
 * A kafkajs consumer as the port's BatchConsumer: calls pass through, events are renamed. One
 * difference: kafkajs drops a commit made once its stop has begun, without a word, so a batch in
 * hand at disconnect() was applied but read again by the next consumer from an older offset.
 * Here, for a run that commits by itself (autoCommit false), disconnect() first lets the batches
 * in hand finish (their commits go through) and hands over no new one; and a commit after the
 * stop fails as kafkaRebalanced (not committed, read again). A run with kafkajs' auto-commit is
 * left to kafkajs: a handler passed over there would count as processed and be committed.
 */
export class KafkajsConsumer implements BatchConsumer {
  private readonly consumer: Consumer;
  /** Handlers running now, and who waits for them to be none. */
  private inHand = 0;
  private idle: (() => void)[] = [];
  /** The run commits by itself, so disconnect() waits for its batches in hand. */
  private ownCommits = false;
  private closing = false;
  private left = false;

  constructor(consumer: Consumer) {
    this.consumer = consumer;
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  subscribe(
    s: { topics: (string | RegExp)[]; fromBeginning?: boolean } | { topic: string | RegExp; fromBeginning?: boolean },
  ): Promise<void> {
    return this.consumer.subscribe(s);
  }

  run(options: RunOptions): Promise<void> {
    const { eachBatch, eachMessage } = options;
    this.ownCommits = options.autoCommit === false;
    return this.consumer.run({
      ...options,
      eachBatch: eachBatch && ((p) => this.handle(() => eachBatch(p))),
      eachMessage: eachMessage && ((p) => this.handle(() => eachMessage(p))),
    });
  }

  /** Runs a handler unless the consumer is closing (nothing resolved: the next consumer reads it). */
  private async handle(fn: () => Promise<void>): Promise<void> {
    if (this.closing) return;
    this.inHand++;
    try {
      await fn();
    } finally {
      this.inHand--;
      if (this.inHand === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer.pause(topics);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer.resume(topics);
  }

  seek(at: PartitionOffset): void {
    this.consumer.seek(at);
  }

  async commitOffsets(offsets: PartitionOffset[]): Promise<void> {
    if (this.left) throw new ConsumerLeftError(offsets);
    await this.consumer.commitOffsets(offsets);
  }

  async disconnect(): Promise<void> {
    this.closing = this.ownCommits;
    if (this.closing && this.inHand > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.left = true;
    await this.consumer.disconnect();
  }

  on<E extends keyof ConsumerEventMap>(event: E, listener: (payload: ConsumerEventMap[E]) => void): void {
    const c = this.consumer;
    const tell = listener as (p: unknown) => void;
    switch (event) {
      case 'crash':
        c.on(c.events.CRASH, (e) => tell({ error: e.payload.error, restart: e.payload.restart }));
        return;
      case 'fetch':
        c.on(c.events.FETCH, () => tell({}));
        return;
      case 'heartbeat':
        c.on(c.events.HEARTBEAT, () => tell({}));
        return;
      case 'commit':
        c.on(c.events.COMMIT_OFFSETS, () => tell({}));
        return;
      case 'request-timeout':
        c.on(c.events.REQUEST_TIMEOUT, (e) => tell({ apiName: e.payload.apiName }));
        return;
      case 'batch-end':
        c.on(c.events.END_BATCH_PROCESS, (e) =>
          tell({ topic: e.payload.topic, partition: e.payload.partition, lastOffset: e.payload.lastOffset }),
        );
        return;
      case 'group-join':
        c.on(c.events.GROUP_JOIN, (e) => tell({ memberAssignment: e.payload.memberAssignment }));
        return;
    }
  }
}
