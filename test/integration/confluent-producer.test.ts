import { randomUUID } from 'node:crypto';
import { createKafka, createKafkaClient, createLogger, kafkaFenced, type OutgoingRecord } from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/stack.ts';

/**
 * The port's transactional producer on Confluent's librdkafka client against the real broker:
 * commit-only visibility, the same partitions as kafkajs for the same keys, and fencing by a newer
 * producer with the same transactional id classified as KAFKA_FENCED.
 */
const s = stack();
const log = createLogger('test', 'warn');
const prefix = `bench_ckjs_test_${randomUUID().slice(0, 8)}`;
const kafkajs = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log });
const confluent = createKafkaClient({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log, client: 'confluent' });
const admin = kafkajs.admin();
const topics: string[] = [];

async function topic(name: string, partitions = 1): Promise<string> {
  const t = `${prefix}_${name}`;
  topics.push(t);
  await admin.createTopics({ topics: [{ topic: t, numPartitions: partitions }], waitForLeaders: true });
  return t;
}

/** Committed records of a topic (read_committed), until `expected` came and 1 s passed without more. */
async function committed(t: string, expected: number): Promise<{ key: string; value: string | null; partition: number }[]> {
  const consumer = kafkajs.consumer({ groupId: `${prefix}-${randomUUID()}`, readUncommitted: false });
  const out: { key: string; value: string | null; partition: number }[] = [];
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: t, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        out.push({ key: String(message.key), value: message.value === null ? null : String(message.value), partition });
        last = Date.now();
      },
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(out.length >= expected && Date.now() - last > 1_000))
      await new Promise((r) => setTimeout(r, 100));
    return out;
  } finally {
    await consumer.disconnect();
  }
}

const records = (n: number, tag: string): OutgoingRecord[] =>
  Array.from({ length: n }, (_, i) => ({ key: `key-${i}`, value: `${tag}-${i}`, headers: { h: 'x' } }));

beforeAll(async () => {
  await admin.connect();
});

afterAll(async () => {
  if (topics.length) await admin.deleteTopics({ topics });
  await admin.disconnect();
});

describe('Confluent transactional producer', () => {
  it('makes records visible to read_committed readers at commit, never after abort', async () => {
    const t = await topic('visibility');
    const p = confluent.transactionalProducer({ transactionalId: `${prefix}-visibility`, transactionTimeoutMs: 60_000 });
    await p.connect();
    try {
      const aborted = await p.transaction();
      await aborted.send({ topic: t, messages: records(50, 'aborted') });
      await aborted.abort();
      const txn = await p.transaction();
      await txn.sendBatch({ topicMessages: [{ topic: t, messages: records(100, 'kept') }] });
      await txn.send({ topic: t, messages: [{ key: 'tombstone', value: null }] });
      await txn.commit();
    } finally {
      await p.disconnect();
    }
    const got = await committed(t, 101);
    expect(got).toHaveLength(101);
    expect(got.filter((r) => r.value?.startsWith('aborted'))).toEqual([]);
    expect(got.slice(0, 100).map((r) => r.value)).toEqual(records(100, 'kept').map((r) => r.value));
    expect(got[100]).toMatchObject({ key: 'tombstone', value: null });
  });

  it('takes a transaction of more records than its queue holds (100k), as a streamed source transaction is', async () => {
    const t = await topic('large');
    const p = confluent.transactionalProducer({ transactionalId: `${prefix}-large`, transactionTimeoutMs: 60_000 });
    await p.connect();
    const n = 250_000;
    try {
      const txn = await p.transaction();
      const value = Buffer.alloc(50, 1);
      for (let i = 0; i < n; i += 10_000) {
        const messages = Array.from({ length: 10_000 }, (_, j) => ({ key: String(i + j), value }));
        await txn.send({ topic: t, messages });
      }
      await txn.commit();
    } finally {
      await p.disconnect();
    }
    const [end] = await admin.fetchTopicOffsets(t);
    expect(Number(end?.high)).toBe(n + 1); // the records and the commit marker
  });

  it('puts each key in the partition kafkajs puts it in (murmur2)', async () => {
    const t = await topic('partitions', 6);
    const plain = kafkajs.producer({ idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    await plain.send({ topic: t, messages: records(60, 'kafkajs') });
    await plain.disconnect();
    const p = confluent.transactionalProducer({ transactionalId: `${prefix}-partitions`, transactionTimeoutMs: 60_000 });
    await p.connect();
    const txn = await p.transaction();
    await txn.send({ topic: t, messages: records(60, 'confluent') });
    await txn.commit();
    await p.disconnect();
    const got = await committed(t, 120);
    const where = (tag: string) => new Map(got.filter((r) => r.value?.startsWith(tag)).map((r) => [r.key, r.partition]));
    expect(where('confluent').size).toBe(60);
    expect(new Set(where('confluent').values()).size).toBeGreaterThan(1);
    expect(where('confluent')).toEqual(where('kafkajs'));
  });

  it('is fenced by a newer producer with the same transactional id: its commit and abort fail with KAFKA_FENCED', async () => {
    const t = await topic('fencing');
    const id = `${prefix}-fencing`;
    const older = confluent.transactionalProducer({ transactionalId: id, transactionTimeoutMs: 60_000 });
    const newer = confluent.transactionalProducer({ transactionalId: id, transactionTimeoutMs: 60_000 });
    await older.connect();
    try {
      const txn = await older.transaction();
      await txn.send({ topic: t, messages: records(10, 'older') });
      // The newcomer's initialisation aborts the older one's open transaction and fences it.
      await newer.connect();
      const commitErr = await txn.commit().then(
        () => undefined,
        (e: unknown) => e,
      );
      // librdkafka answers the commit with ERR__FENCED (-144); the abort after it fails with it too.
      expect(commitErr).toMatchObject({ code: 'KAFKA_FENCED', retriable: false, cause: { code: -144 } });
      expect(kafkaFenced(commitErr)).toBe(true);
      const abortErr = await txn.abort().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(kafkaFenced(abortErr)).toBe(true);
      const txn2 = await newer.transaction();
      await txn2.send({ topic: t, messages: records(5, 'newer') });
      await txn2.commit();
    } finally {
      await older.disconnect();
      await newer.disconnect();
    }
    const got = await committed(t, 5);
    expect(got.map((r) => r.value)).toEqual(records(5, 'newer').map((r) => r.value));
  });
});
