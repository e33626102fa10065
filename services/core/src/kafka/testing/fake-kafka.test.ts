import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../errors.ts';
import { kafkaFenced, kafkaRebalanced } from '../kafkajs/kafka-errors.ts';
import type { BatchPayload } from '../port/consumer.ts';
import { FakeKafka } from './fake-kafka.ts';

const values = (kafka: FakeKafka, topic: string) => kafka.records(topic).map((r) => r.value?.toString());

describe('FakeKafka', () => {
  it('shows a transaction’s records at commit only, never after abort', async () => {
    const kafka = new FakeKafka();
    const producer = kafka.transactionalProducer({ transactionalId: 't', transactionTimeoutMs: 1000 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'x', messages: [{ key: 'k', value: 'one' }] });
    expect(values(kafka, 'x')).toEqual([]);
    await txn.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'x', messages: [{ key: 'k', value: 'two' }] });
    await aborted.abort();
    expect(values(kafka, 'x')).toEqual(['one']);
    expect(kafka.transactions.map((t) => t.outcome)).toEqual(['committed', 'aborted']);
  });

  it('fences the older producer of a transactional id: its commit and abort fail with KAFKA_FENCED', async () => {
    const kafka = new FakeKafka();
    const older = kafka.transactionalProducer({ transactionalId: 't', transactionTimeoutMs: 1000 });
    await older.connect();
    const txn = await older.transaction();
    await txn.send({ topic: 'x', messages: [{ value: 'lost' }] });
    await kafka.transactionalProducer({ transactionalId: 't', transactionTimeoutMs: 1000 }).connect();
    const err = await txn.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect(kafkaFenced(err)).toBe(true);
    expect(kafkaFenced(await txn.abort().catch((e: unknown) => e))).toBe(true);
    expect(values(kafka, 'x')).toEqual([]);
  });

  it('keeps one key in one partition, offsets counting per partition', async () => {
    const kafka = new FakeKafka();
    kafka.createTopic('x', 3);
    const producer = kafka.producer();
    await producer.send({ topic: 'x', messages: ['a', 'b', 'a', 'c', 'a'].map((key) => ({ key, value: key })) });
    const ofA = kafka.records('x').filter((r) => r.key?.toString() === 'a');
    expect(ofA).toHaveLength(3);
    expect(new Set(ofA.map((r) => r.partition)).size).toBe(1);
    for (const log of kafka.topics.get('x')?.partitions ?? [])
      expect(log.map((r) => r.offset)).toEqual(log.map((_, i) => String(i)));
  });

  it('hands batches over in order; pause holds a partition, seek moves it, and commits land in the group', async () => {
    const kafka = new FakeKafka();
    kafka.createTopic('x');
    await kafka.producer().send({ topic: 'x', messages: ['1', '2', '3'].map((value) => ({ value })) });
    const consumer = kafka.consumer({ groupId: 'g' });
    const seen: string[] = [];
    let held = false;
    await consumer.subscribe({ topics: [/^x$/], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, pause }: BatchPayload) => {
        for (const m of batch.messages) {
          if (m.value?.toString() === '3' && !held) {
            held = true;
            pause();
            return;
          }
          seen.push(m.value?.toString() ?? '');
          resolveOffset(m.offset);
        }
        await consumer.commitOffsets([{ topic: 'x', partition: 0, offset: String(Number(batch.messages.at(-1)?.offset) + 1) }]);
      },
    });
    await kafka.settled();
    expect(seen).toEqual(['1', '2']);
    // Paused at record 3: nothing more until resumed, then 3 again; a seek to 0 reads all again.
    consumer.resume([{ topic: 'x' }]);
    await kafka.settled();
    expect(seen).toEqual(['1', '2', '3']);
    consumer.seek({ topic: 'x', partition: 0, offset: '0' });
    await kafka.settled();
    expect(seen).toEqual(['1', '2', '3', '1', '2', '3']);
    expect(kafka.groups.get('g')?.get('x:0')).toBe('3');
    await consumer.disconnect();
  });

  it('lets a batch in hand at disconnect commit, and refuses a commit after it as kafkaRebalanced', async () => {
    const kafka = new FakeKafka();
    kafka.createTopic('x');
    await kafka.producer().send({ topic: 'x', messages: [{ value: '1' }] });
    const consumer = kafka.consumer({ groupId: 'g' });
    let stopping: Promise<void> | undefined;
    await consumer.subscribe({ topics: ['x'], fromBeginning: true });
    await consumer.run({
      eachBatch: async () => {
        stopping = consumer.disconnect();
        await consumer.commitOffsets([{ topic: 'x', partition: 0, offset: '1' }]);
      },
    });
    await kafka.settled();
    await stopping;
    expect(kafka.groups.get('g')?.get('x:0')).toBe('1');
    const late = await consumer.commitOffsets([{ topic: 'x', partition: 0, offset: '0' }]).catch((e: unknown) => e);
    expect(kafkaRebalanced(late)).toBe(true);
    expect(kafka.groups.get('g')?.get('x:0')).toBe('1');
  });
});
