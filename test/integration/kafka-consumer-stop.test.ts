import { randomUUID } from 'node:crypto';
import { type BatchConsumer, createKafka, createLogger, kafkaRebalanced } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { stack } from '../support/stack.ts';

/**
 * The port's batch consumer on the real broker, stopped while a batch is in hand (a sink renews
 * its consumer when a new topic appears, or stops on SIGTERM). kafkajs drops a commit made after
 * its stop began without a word, so the next consumer read the batch again from an older offset:
 * a target already at a table's newest layout went back to older ones until the re-read caught
 * up (seen by a verify in ddl-replication). The adapter waits for the batches in hand first.
 */
const s = stack();
const log = createLogger('test', 'warn');
const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log });
const admin = kafka.admin();
const topic = `kafka_stop_test_${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

async function committedOffset(groupId: string): Promise<string | undefined> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t?.partitions.find((p) => p.partition === 0)?.offset;
}

describe('batch consumer stopped with a batch in hand', () => {
  it('commits the offsets the batch commits before it leaves the group, and refuses a commit after', async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [1, 2, 3].map((i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();

    const groupId = `${topic}-group`;
    const consumer: BatchConsumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    let stopping: Promise<void> | undefined;
    let handed = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      void consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset }) => {
          handed++;
          try {
            // The stop begins while the batch is applied, as a topic refresh's renewal does.
            stopping = consumer.disconnect();
            await new Promise((r) => setTimeout(r, 300));
            const last = batch.messages[batch.messages.length - 1]?.offset as string;
            resolveOffset(last);
            await consumer.commitOffsets([{ topic, partition: 0, offset: (BigInt(last) + 1n).toString() }]);
            resolve();
          } catch (err) {
            reject(err);
          }
        },
      });
    });
    await done;
    await stopping;
    expect(handed).toBe(1);
    expect(await committedOffset(groupId)).toBe('3');

    // A commit once the consumer left is refused as "not committed, read again", never dropped quietly.
    const late = await consumer.commitOffsets([{ topic, partition: 0, offset: '1' }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(kafkaRebalanced(late), String(late)).toBe(true);
    expect(await committedOffset(groupId)).toBe('3');
  });
});
