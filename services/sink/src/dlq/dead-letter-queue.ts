import { dlqTopic, type Logger, type SluiceError } from '@sluice/core';
import type { Admin, Kafka, Producer } from 'kafkajs';

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

/**
 * `<prefix>.dlq.<sink>`: records the sink could not decode or the target refused, with the
 * reason and their origin in headers. send() resolves once Kafka has them, before the sink
 * commits the offsets past them: nothing is skipped without a trace.
 */
export class DeadLetterQueue {
  readonly topic: string;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly log: Logger;
  private ready: Promise<void> | undefined;

  constructor(kafka: Kafka, prefix: string, sink: string, log: Logger) {
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
      if (!exists) await this.admin.createTopics({ topics: [{ topic: this.topic, numPartitions: 1 }], waitForLeaders: true });
      await this.admin.disconnect();
      await this.producer.connect();
    })();
    await this.ready;
    await this.producer.send({
      topic: this.topic,
      messages: letters.map((l) => ({
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
      })),
    });
    for (const l of letters) {
      this.log.warn(
        { code: l.error.code, topic: l.topic, partition: l.partition, offset: l.offset, dlq: this.topic },
        `dead-lettered: ${l.error.message}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
