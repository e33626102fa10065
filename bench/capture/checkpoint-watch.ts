import { randomUUID } from 'node:crypto';
import {
  type BatchConsumer,
  BinlogPosition,
  checkpointTopic,
  createKafka,
  createLogger,
  type KafkaAdmin,
  Registry,
} from '@sluice/core';

/**
 * Follows a capture's checkpoint topic with a read_committed consumer and resolves when a
 * checkpoint at or past `end` arrives. A checkpoint is committed in the same Kafka transaction as
 * the records of the source transactions before it, so seeing it is exact proof that every row up
 * to `end` is committed in Kafka, without reading the records themselves.
 */
export class CheckpointWatch {
  readonly groupId: string;
  private readonly consumer: BatchConsumer;
  private readonly admin: KafkaAdmin;
  private readonly registry: Registry;
  private readonly topic: string;
  private readonly captureId: string;

  constructor(opts: { brokers: string[]; registryUrl: string; prefix: string; captureId: string }) {
    const kafka = createKafka({ brokers: opts.brokers, clientId: 'sluice-bench', log: createLogger('bench', 'warn') });
    this.groupId = `bench-checkpoint-watch-${randomUUID()}`;
    this.consumer = kafka.consumer({ groupId: this.groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
    this.admin = kafka.admin();
    this.registry = new Registry(opts.registryUrl);
    this.topic = checkpointTopic(opts.prefix);
    this.captureId = opts.captureId;
  }

  /** Resolves with the time (performance.now()) the first checkpoint >= end was read. */
  async until(
    end: BinlogPosition,
    alive: () => boolean,
    timeoutMs = 1_800_000,
    /** Only a checkpoint after a snapshot completed counts (a snapshot's carry its start position). */
    afterSnapshot = false,
  ): Promise<number> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    let reached: number | undefined;
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        // Checkpoints are Confluent-framed (magic byte 0); the capture's start markers are not.
        if (reached !== undefined || !message.value || message.key?.[0] !== 0) return;
        const { value } = await this.registry.decode(message.value);
        const c = value as { capture_id: string; file: string; pos: number; snapshot: unknown };
        if (c.capture_id !== this.captureId || (afterSnapshot && c.snapshot)) return;
        if (new BinlogPosition(c.file, Number(c.pos)).compare(end) >= 0) reached = performance.now();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (reached === undefined) {
      if (!alive()) throw new Error('capture exited before committing the backlog');
      if (Date.now() > deadline) throw new Error(`backlog not committed after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return reached;
  }

  /**
   * Sum of a topic's end offsets: its records plus one marker per Kafka transaction that wrote to
   * it. At least the row count, so a cross-check that the records are there (not an exact count).
   */
  async endOffset(topic: string): Promise<number> {
    await this.admin.connect();
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }
}
