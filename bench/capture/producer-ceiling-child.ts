/**
 * The producer ceiling: kafkajs alone writing the records the capture wrote, in the capture's
 * transactions (same producer settings, same 8 MiB transactions of 512 KiB requests), with no
 * binlog, no encoding and no checkpoint. It loads the pipeline's table topic into memory first
 * and times only the producing. Prints one JSON line (CeilingResult) on stdout.
 */
import { createKafka, createLogger, type OutgoingRecord } from '@sluice/core';
import { childMain } from '../common/json-child.ts';
import { produceInTransactions } from '../common/transactional-produce.ts';

export interface CeilingJob {
  brokers: string[];
  from: string;
  to: string;
  rows: number;
}

export interface CeilingResult {
  rows: number;
  seconds: number;
  transactions: number;
  cpuSeconds: number;
}

async function load(kafka: ReturnType<typeof createKafka>, job: CeilingJob): Promise<OutgoingRecord[]> {
  const out: OutgoingRecord[] = [];
  const consumer = kafka.consumer({ groupId: `${job.to}.load`, maxBytesPerPartition: 8 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [job.from], fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) if (out.length < job.rows) out.push({ key: m.key, value: m.value });
        if (out.length >= job.rows) resolve();
      },
    });
  });
  await consumer.disconnect();
  return out;
}

async function run(job: CeilingJob): Promise<CeilingResult> {
  const kafka = createKafka({ brokers: job.brokers, clientId: 'bench-ceiling', log: createLogger('bench', 'warn') });
  const records = await load(kafka, job);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: job.to, numPartitions: 1 }] });
  await admin.disconnect();
  // The capture's producer settings (the port's transactional producer).
  const producer = kafka.transactionalProducer({ transactionalId: `${job.to}.ceiling`, transactionTimeoutMs: 60_000 });
  await producer.connect();
  const produced = await produceInTransactions(producer, job.to, records);
  await producer.disconnect();
  return { rows: records.length, ...produced };
}

childMain('producer ceiling', run);
