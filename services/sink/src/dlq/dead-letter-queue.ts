import {
  BATCH_OVERHEAD_BYTES,
  chunkRecords,
  classifyKafkaError,
  dlqTopic,
  ensureMaxMessageBytes,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaProducer,
  type Logger,
  type SluiceError,
} from '@sluice/core';

export interface DeadLetter {
  /** The original record, untouched, so it can be inspected or replayed. */
  key: Buffer | null;
  value: Buffer | null;
  error: SluiceError;
  topic: string;
  partition: number;
  offset: string;
  /** Source position of the change (GTID or file:pos), when it could be decoded. */
  position: string | null;
}

/** Sized like capture's default maxRecordBytes (64 MiB): a refused record of any size capture publishes fits. */
const DLQ_MAX_MESSAGE_BYTES = 64 * 1024 * 1024 + BATCH_OVERHEAD_BYTES;
/** Bytes of letters per produce request: a letter over this goes alone. */
const REQUEST_BYTES = 1024 * 1024;

const letterBytes = (l: DeadLetter): number => (l.key?.length ?? 0) + (l.value?.length ?? 0) + 512;

/**
 * `<prefix>.dlq.<sink>`: records the sink could not decode or the target refused, with the
 * reason and their origin in headers. send() resolves once Kafka has them, before the sink
 * commits the offsets past them: nothing is skipped without a trace.
 */
export class DeadLetterQueue {
  readonly topic: string;
  private readonly producer: KafkaProducer;
  private readonly admin: KafkaAdmin;
  private readonly log: Logger;
  private ready: Promise<void> | undefined;
  /** The topic's max.message.bytes as far as this process knows (Kafka's default until read or set). */
  private maxMessageBytes = KAFKA_DEFAULT_MAX_MESSAGE_BYTES;

  constructor(kafka: KafkaClient, prefix: string, sink: string, log: Logger) {
    this.topic = dlqTopic(prefix, sink);
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.admin = kafka.admin();
    this.log = log;
  }

  async send(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    this.ready ??= (async () => {
      await this.admin.connect();
      const exists = (await this.admin.listTopics()).includes(this.topic);
      if (!exists) {
        await this.admin
          .createTopics({
            topics: [
              {
                topic: this.topic,
                numPartitions: 1,
                configEntries: [{ name: 'max.message.bytes', value: String(DLQ_MAX_MESSAGE_BYTES) }],
              },
            ],
            waitForLeaders: true,
          })
          .catch((err: unknown) => {
            throw classifyKafkaError(err, `creating the dead-letter topic ${this.topic}`);
          });
        this.maxMessageBytes = DLQ_MAX_MESSAGE_BYTES;
      }
      await this.producer.connect();
    })();
    await this.ready;
    // A dead letter is as large as the record it carries (a big row the target refused): the
    // topic must take it, and a big one goes in a request of its own.
    const largest = Math.max(...letters.map(letterBytes)) + BATCH_OVERHEAD_BYTES;
    if (largest > this.maxMessageBytes) {
      this.maxMessageBytes = await ensureMaxMessageBytes(this.admin, this.topic, Math.max(largest, DLQ_MAX_MESSAGE_BYTES));
    }
    const records = letters.map((l) => ({
      topic: this.topic,
      message: {
        key: l.key,
        value: l.value,
        headers: {
          'sluice.error.code': l.error.code,
          'sluice.error.message': l.error.message.slice(0, 2000),
          'sluice.source.topic': l.topic,
          'sluice.source.partition': String(l.partition),
          'sluice.source.offset': l.offset,
          ...(l.position ? { 'sluice.source.position': l.position } : {}),
        },
      },
    }));
    for (const topicMessages of chunkRecords(records, REQUEST_BYTES)) await this.producer.sendBatch({ topicMessages });
    for (const l of letters) {
      this.log.warn(
        { code: l.error.code, topic: l.topic, partition: l.partition, offset: l.offset, dlq: this.topic },
        `dead-lettered: ${l.error.message}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }
}
