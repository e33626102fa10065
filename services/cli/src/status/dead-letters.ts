import { randomUUID } from 'node:crypto';
import { dlqTopic, type KafkaAdmin, type KafkaClient } from '@sluice/core';

export interface DeadLetters {
  count: number;
  /** The reason of the newest dead letter (its `sluice.error.code` and message headers). */
  lastError: string | null;
}

/**
 * A sink's dead letters: how many its DLQ topic holds, and why the newest one is there. Undefined
 * when the sink never dead-lettered anything (no DLQ topic).
 */
export async function readDeadLetters(
  kafka: KafkaClient,
  admin: KafkaAdmin,
  prefix: string,
  sink: string,
): Promise<DeadLetters | undefined> {
  const topic = dlqTopic(prefix, sink);
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  const offsets = await admin.fetchTopicOffsets(topic);
  const count = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  const newest = offsets.filter((o) => Number(o.high) > Number(o.low)).sort((a, b) => Number(b.high) - Number(a.high))[0];
  if (!newest) return { count, lastError: null };
  // Read just the newest record: a throwaway group that commits nothing.
  const consumer = kafka.consumer({ groupId: `sluice-status-${randomUUID()}` });
  let lastError: string | null = null;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic });
    const got = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const h = message.headers ?? {};
          lastError = `${h['sluice.error.code'] ?? '?'}: ${h['sluice.error.message'] ?? ''}`.slice(0, 300);
          resolve();
        },
      });
    });
    consumer.seek({ topic, partition: newest.partition, offset: String(Number(newest.high) - 1) });
    await Promise.race([got, new Promise((r) => setTimeout(r, 5_000))]);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return { count, lastError };
}
