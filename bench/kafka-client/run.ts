/**
 * The Kafka clients behind the port, side by side in one run: transactional produce of 1M records
 * of about 220 B in the capture's 8 MiB transactions, each client in its own process (its CPU is
 * its own, librdkafka's threads included), rounds alternating the clients. Prints records/s and
 * CPU seconds per 1M records, median of the rounds, and checks that every record was committed.
 * Topics are `bench_ckjs_<stamp>_*`, deleted at the end. Needs the local stack's Kafka.
 *
 *   node bench/kafka-client/run.ts      (BENCH_RECORDS, BENCH_ROUNDS, BENCH_CLIENTS=kafkajs,confluent)
 */
import { createKafka, createLogger, KAFKA_CLIENTS, type KafkaClientName } from '@sluice/core';
import { stack } from '../../test/support/stack.ts';
import { runBench } from '../common/bench-main.ts';
import { runJsonChild } from '../common/json-child.ts';
import type { ProduceJob, ProduceResult } from './transactional-produce-child.ts';

const records = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const clients = (process.env.BENCH_CLIENTS ?? KAFKA_CLIENTS.join(',')).split(',') as KafkaClientName[];
const RECORD_BYTES = 220;

const brokers = stack().kafkaBrokers;
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase();
const prefix = `bench_ckjs_${stamp}`;
const began = performance.now();
const log = (msg: string) => console.log(`[bench-kafka-client +${((performance.now() - began) / 1000).toFixed(1)}s] ${msg}`);
const admin = createKafka({ brokers, clientId: 'sluice-bench', log: createLogger('bench', 'error') }).admin();
const topics: string[] = [];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function produce(client: KafkaClientName, round: number): Promise<ProduceResult> {
  const topic = `${prefix}_${client}_${round}`;
  topics.push(topic);
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const job: ProduceJob = { brokers, client, topic, records, recordBytes: RECORD_BYTES };
  const r = await runJsonChild<ProduceResult>(
    new URL('./transactional-produce-child.ts', import.meta.url).pathname,
    job,
    `${client} produce`,
  );
  // Each commit leaves one control record: the end offset is records + transactions when none is lost.
  const [end] = await admin.fetchTopicOffsets(topic);
  const want = r.records + r.transactions;
  if (Number(end?.high) !== want)
    throw new Error(`${topic}: end offset ${end?.high}, expected ${want} (records lost or doubled)`);
  return r;
}

async function measure(): Promise<void> {
  await admin.connect();
  log(
    `${records.toLocaleString('en-US')} records of ${RECORD_BYTES} B, 8 MiB transactions, 1 partition; ${rounds} rounds of ${clients.join(', ')}`,
  );
  const results = new Map<KafkaClientName, ProduceResult[]>(clients.map((c) => [c, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const client of clients) {
      const r = await produce(client, round);
      results.get(client)?.push(r);
      log(
        `round ${round} ${client}: ${Math.round(r.records / r.seconds).toLocaleString('en-US')} records/s, ` +
          `${((r.cpuSeconds * 1e6) / r.records).toFixed(2)} CPU s per 1M, ${r.transactions} transactions, ${r.seconds.toFixed(2)} s`,
      );
    }
  }
  console.log('\nclient      records/s (median)   CPU s per 1M (median)   rounds');
  for (const [client, rs] of results) {
    const rate = median(rs.map((r) => r.records / r.seconds));
    const cpu = median(rs.map((r) => (r.cpuSeconds * 1e6) / r.records));
    console.log(
      `${client.padEnd(12)}${Math.round(rate).toLocaleString('en-US').padStart(18)}${cpu.toFixed(2).padStart(24)}${String(rs.length).padStart(9)}`,
    );
  }
}

async function cleanUp(): Promise<void> {
  if (topics.length) await admin.deleteTopics({ topics }).catch((e) => log(`deleting ${topics.join(', ')}: ${e.message}`));
  await admin.disconnect().catch(() => undefined);
}

await runBench({ name: 'bench-kafka-client', log, began, run: measure, cleanUp });
