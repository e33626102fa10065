/**
 * The consumer ceiling: kafkajs alone reading the backlog the way the sink does (own group,
 * read_committed, a batch at a time, offsets committed after each batch), with no decoding and no
 * target. Prints one JSON line (ConsumerCeiling) on stdout.
 */
import { createKafka, createLogger } from '@sluice/core';
import { consumerSettings } from '../../services/sink/src/consumer-settings.ts';
import { procStats } from '../capture/proc.ts';
import { childMain } from '../common/json-child.ts';

export interface ConsumerCeilingJob {
  brokers: string[];
  topic: string;
  groupId: string;
  rows: number;
}

export interface ConsumerCeiling {
  rows: number;
  seconds: number;
  cpuSeconds: number;
}

async function run(job: ConsumerCeilingJob): Promise<ConsumerCeiling> {
  const kafka = createKafka({ brokers: job.brokers, clientId: 'bench-ceiling', log: createLogger('bench', 'warn') });
  const consumer = kafka.consumer(consumerSettings(job.groupId));
  await consumer.connect();
  await consumer.subscribe({ topics: [job.topic], fromBeginning: true });
  let rows = 0;
  let t0 = 0;
  let cpu0 = 0;
  const seconds = await new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        if (t0 === 0) {
          // From the first fetch: the group join before it is start-up, as for the sink's /readyz.
          t0 = performance.now();
          cpu0 = procStats('self')?.cpuSeconds ?? 0;
        }
        const last = batch.messages[batch.messages.length - 1];
        if (!last) return;
        rows += batch.messages.length;
        resolveOffset(last.offset);
        const next = (BigInt(last.offset) + 1n).toString();
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        if (rows >= job.rows) resolve((performance.now() - t0) / 1000);
      },
    });
  });
  const cpuSeconds = (procStats('self')?.cpuSeconds ?? 0) - cpu0;
  await consumer.disconnect();
  return { rows, seconds, cpuSeconds };
}

childMain('consumer ceiling', run);
