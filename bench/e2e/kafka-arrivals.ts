import { type BatchConsumer, createKafka, createLogger, Registry } from '@sluice/core';

/**
 * When each key first became readable in Kafka (read_committed, as the sinks read): splits the end
 * to end latency of a row into the capture's part (source commit -> committed in Kafka) and the
 * sink's (committed in Kafka -> target statement). The first record of a key is its INSERT: the
 * bench reads only rows never updated. Read with the sinks' client and settings' fetch path, so
 * the time also holds one fetch's wait, as the sink's does.
 */
export class KafkaArrivals {
  /** First arrival per key id, ms since the epoch (the same clock as the servers' NOW(6)). */
  readonly firstSeenMs = new Map<number, number>();
  private readonly consumer: BatchConsumer;
  private readonly registry: Registry;

  constructor(opts: { brokers: string[]; registryUrl: string; groupId: string }) {
    const kafka = createKafka({ brokers: opts.brokers, clientId: 'sluice-bench-e2e', log: createLogger('bench', 'warn') });
    this.consumer = kafka.consumer({ groupId: opts.groupId, readUncommitted: false });
    this.registry = new Registry(opts.registryUrl);
  }

  async start(topic: string): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          if (m.key?.[0] !== 0) continue; // Confluent-framed keys only (not markers)
          const { value } = await this.registry.decode(m.key as Buffer);
          const id = Number((value as { id: number | bigint }).id);
          if (!this.firstSeenMs.has(id)) this.firstSeenMs.set(id, now);
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}
