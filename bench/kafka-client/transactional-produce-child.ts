/**
 * One client's transactional produce through the port: `records` records of about `recordBytes`
 * (a 16-byte key and random value bytes, the capture's Avro row size), in the capture's
 * transactions (8 MiB, 512 KiB per send, as transactional-publisher.ts), into a topic of one
 * partition. Times only the producing (records are made first). Prints one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { createKafkaClient, createLogger, type KafkaClientName, type OutgoingRecord } from '@sluice/core';
import { childMain } from '../common/json-child.ts';
import { produceInTransactions } from '../common/transactional-produce.ts';

export interface ProduceJob {
  brokers: string[];
  client: KafkaClientName;
  topic: string;
  records: number;
  recordBytes: number;
}

export interface ProduceResult {
  client: KafkaClientName;
  records: number;
  seconds: number;
  transactions: number;
  cpuSeconds: number;
}

const KEY_BYTES = 16;

function makeRecords(job: ProduceJob): OutgoingRecord[] {
  const valueBytes = job.recordBytes - KEY_BYTES;
  const pool = randomBytes(valueBytes * 1024);
  const out: OutgoingRecord[] = new Array(job.records);
  for (let i = 0; i < job.records; i++) {
    const start = (i % 1024) * valueBytes;
    out[i] = { key: Buffer.from(i.toString(16).padStart(KEY_BYTES, '0')), value: pool.subarray(start, start + valueBytes) };
  }
  return out;
}

async function run(job: ProduceJob): Promise<ProduceResult> {
  const records = makeRecords(job);
  const kafka = createKafkaClient({
    brokers: job.brokers,
    clientId: `bench-${job.client}`,
    log: createLogger('bench', 'warn'),
    client: job.client,
  });
  const producer = kafka.transactionalProducer({ transactionalId: `${job.topic}.producer`, transactionTimeoutMs: 60_000 });
  await producer.connect();
  const produced = await produceInTransactions(producer, job.topic, records);
  await producer.disconnect();
  return { client: job.client, records: records.length, ...produced };
}

childMain('transactional produce', run);
