/**
 * The producer ceiling: kafkajs alone writing the records the capture wrote, in the capture's
 * transactions (same producer settings, same 8 MiB transactions of 512 KiB requests), with no
 * binlog, no encoding and no checkpoint. It loads the pipeline's table topic into memory first
 * and times only the producing. Prints one JSON line (CeilingResult) on stdout.
 */
import { chunkRecords, createKafka, createLogger, type OutgoingRecord } from '@sluice/core';
import { childMain } from '../common/json-child.ts';
import { procStats } from './proc.ts';

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

const TXN_BYTES = 8 * 1024 * 1024;
const SEND_BYTES = 512 * 1024;

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
  const cpu0 = procStats('self')?.cpuSeconds ?? 0;
  const t0 = performance.now();
  let transactions = 0;
  for (let i = 0; i < records.length; ) {
    const unit: { topic: string; message: OutgoingRecord }[] = [];
    let bytes = 0;
    while (i < records.length && (unit.length === 0 || bytes < TXN_BYTES)) {
      const m = records[i++] as OutgoingRecord;
      bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64;
      unit.push({ topic: job.to, message: m });
    }
    const txn = await producer.transaction();
    for (const chunk of chunkRecords(unit, SEND_BYTES)) await txn.sendBatch({ topicMessages: chunk });
    await txn.commit();
    transactions++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = (procStats('self')?.cpuSeconds ?? 0) - cpu0;
  await producer.disconnect();
  return { rows: records.length, seconds, transactions, cpuSeconds };
}

childMain('producer ceiling', run);
