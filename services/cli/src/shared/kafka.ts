import { randomUUID } from 'node:crypto';
import { type ConsumedRecord, createCliKafka, type KafkaAdmin, type KafkaClient, SluiceError } from '@sluice/core';
import { kafkaConnection } from './connections.ts';

/**
 * A Kafka client for one CLI run: few retries (an operator waits for the answer), and the
 * client's own logs off unless SLUICE_LOG_LEVEL=debug, so that stdout stays the report.
 */
export function cliKafka(brokers: string[]): KafkaClient {
  // With the TLS and SASL login of the config file that names these brokers (connections.ts).
  return createCliKafka({ ...kafkaConnection(brokers), clientId: 'sluice-cli', debug: process.env.SLUICE_LOG_LEVEL === 'debug' });
}

/** Connects an admin client, naming the brokers when they cannot be reached. */
export async function connectAdmin(kafka: KafkaClient, brokers: string[]): Promise<KafkaAdmin> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (cause) {
    throw new SluiceError('KAFKA_UNAVAILABLE', `cannot reach Kafka at ${brokers.join(',')}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return admin;
}

/**
 * The newest committed record per key of a (compacted) topic: reads every partition from its
 * start to the end offset measured before reading, read_committed, with a throwaway consumer
 * group that commits nothing and is deleted afterwards. Records keep their raw bytes; the caller
 * decodes only the ones it keeps.
 */
export async function latestPerKey(
  kafka: KafkaClient,
  admin: KafkaAdmin,
  topic: string,
  timeoutMs = 30_000,
): Promise<Map<string, ConsumedRecord>> {
  const latest = new Map<string, ConsumedRecord>();
  if (!(await admin.listTopics()).includes(topic)) return latest;
  const ends = await admin.fetchTopicOffsets(topic);
  const pending = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
  if (!pending.size) return latest;
  const groupId = `sluice-cli-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  consumer.on('batch-end', (payload) => {
    const last = pending.get(payload.partition);
    if (last !== undefined && BigInt(payload.lastOffset) >= last) pending.delete(payload.partition);
    if (!pending.size) finish();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (message.key) latest.set(message.key.toString('hex'), message);
      },
    });
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([done, timer])) === 'timeout') {
      throw new SluiceError('KAFKA_UNAVAILABLE', `reading ${topic} to its end took longer than ${timeoutMs / 1000} s`);
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return latest;
}
