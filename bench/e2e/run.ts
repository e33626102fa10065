/**
 * make bench-e2e: end-to-end latency under a sustained write load at the source's maximum, from
 * the source statement to the target statement, per target, with a histogram and the lag over time.
 *
 *   1. a table on the source (`src_ts TIMESTAMP(6)` set to NOW(6) by every write) and its copy on
 *      each target with one more column, `applied TIMESTAMP(6)` DEFAULT / ON UPDATE
 *      CURRENT_TIMESTAMP(6), which the target sets when the sink's statement writes the row
 *   2. the real capture (stream only, from now) and one real sink per target (ddl: ignore, so the
 *      extra column stays), started and warmed up with one row
 *   3. BENCH_E2E_WRITERS (8) connections write as fast as the source takes it for
 *      BENCH_E2E_SECONDS (60): single-row autocommit INSERTs of new keys, and one UPDATE of a
 *      random earlier key in every BENCH_E2E_UPDATE_EVERY (3) statements; every 5 s the rows
 *      behind in each target are sampled (a lag that grows is a pipeline slower than the source)
 *   4. once each target equals the source (count and checksum), every row's latency is
 *      applied - src_ts: both clocks are this machine's. src_ts is the statement's start on the
 *      source (its commit follows at once) and applied the sink statement's start on the target,
 *      whose commit follows it (one multi-row statement per transaction): the figure is the time
 *      from source commit to target commit within about a statement's time.
 *   5. print, write bench/results/e2e-<timestamp>.json, drop everything it created
 *
 * The issue's target: p99 <= 500 ms and no growing lag.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mysqlOptionsFromUrl, quoteIdent, tableTopic } from '@sluice/core';
import mysql from 'mysql2/promise';
import { freePort } from '../../test/support/services.ts';
import { stack } from '../../test/support/stack.ts';
import { cleanKafka } from '../capture/cleanup.ts';
import { procStats } from '../capture/proc.ts';
import { runBench } from '../common/bench-main.ts';
import { BenchService } from '../common/bench-service.ts';
import { benchCaptureConfig } from '../common/capture-config.ts';
import { KafkaArrivals } from './kafka-arrivals.ts';
import {
  bucketQuantile,
  histogramLines,
  type LatencySummary,
  type ScrapedHistogram,
  scrapeHistogram,
  summarise,
} from './latency.ts';

const TARGET_P99_MS = 500;
const seconds = Number(process.env.BENCH_E2E_SECONDS ?? 60);
const writers = Number(process.env.BENCH_E2E_WRITERS ?? 8);
const updateEvery = Math.max(2, Number(process.env.BENCH_E2E_UPDATE_EVERY ?? 3));
const root = new URL('../../', import.meta.url).pathname;

const s = stack();
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase();
const prefix = `be2e${stamp}`;
const database = `iso_bench_e2e_${stamp}`; // iso_*: the stack's own capture excludes it
const began = performance.now();
const log = (msg: string) => console.log(`[bench-e2e +${((performance.now() - began) / 1000).toFixed(1)}s] ${msg}`);
const services: BenchService[] = [];
const targets = s.targets.filter((t) => t.url);
const arrivals = new KafkaArrivals({ brokers: s.kafkaBrokers, registryUrl: s.registryUrl, groupId: `${prefix}-arrivals` });
/** Keys an UPDATE wrote: their src_ts and applied are the update's, so the stage split skips them. */
const updated = new Set<number>();

const connect = (url: string) => mysql.createConnection({ ...mysqlOptionsFromUrl(url), multipleStatements: false });
const db = quoteIdent(database);
const COLUMNS = 'id BIGINT NOT NULL PRIMARY KEY, k INT NOT NULL, pad VARCHAR(120) NOT NULL, src_ts TIMESTAMP(6) NOT NULL';
const CHECKSUM = `SELECT COUNT(*) AS n, COALESCE(SUM(CRC32(CONCAT_WS('|', id, k, pad, DATE_FORMAT(src_ts, '%Y-%m-%d %H:%i:%s.%f')))), 0) AS c FROM ${db}.t`;

async function one<T>(url: string, sql: string): Promise<T> {
  const conn = await connect(url);
  try {
    const [rows] = (await conn.query(sql)) as unknown as [T[]];
    return rows[0] as T;
  } finally {
    await conn.end();
  }
}

async function setUp(): Promise<void> {
  const src = await connect(s.sourceUrl);
  await src.query(`CREATE DATABASE ${db}`);
  await src.query(`CREATE TABLE ${db}.t (${COLUMNS})`);
  await src.end();
  for (const t of targets) {
    const conn = await connect(t.url);
    await conn.query(`CREATE DATABASE ${db}`);
    await conn.query(
      `CREATE TABLE ${db}.t (${COLUMNS}, applied TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`,
    );
    await conn.end();
  }
  const capture = new BenchService(
    'capture',
    {
      ...benchCaptureConfig(s, { prefix, database, serverId: 55900 + (process.pid % 100) }),
    },
    freePort(),
  );
  services.push(capture);
  capture.spawn();
  await capture.waitReady();
  for (const t of targets) {
    const sink = new BenchService(
      'sink',
      {
        sinkName: `${prefix}-${t.name}`,
        target: { url: t.url, kind: t.name },
        kafka: { brokers: s.kafkaBrokers },
        schemaRegistry: { url: s.registryUrl },
        topicPrefix: prefix,
        checkpointSchema: database,
        ddl: 'ignore',
      },
      freePort(),
    );
    services.push(sink);
    sink.spawn();
    await sink.waitReady();
  }
  // Warm-up: the topic exists and every sink reads it before the clock starts.
  await one(s.sourceUrl, `INSERT INTO ${db}.t VALUES (0, 0, 'warm-up', NOW(6))`);
  for (const t of targets) await until(`${t.name} to get the warm-up row`, 120_000, async () => (await count(t.url)) === 1);
  await arrivals.start(tableTopic(prefix, database, 't'));
  await until('the arrivals reader to see the warm-up row', 60_000, async () => arrivals.firstSeenMs.has(0));
}

const count = async (url: string): Promise<number> =>
  Number((await one<{ n: number }>(url, `SELECT COUNT(*) AS n FROM ${db}.t`)).n);

async function until(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return;
    for (const svc of services) if (!svc.running) throw new Error(`${svc.kind} exited:\n${svc.tail()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface LagSample {
  atSeconds: number;
  sourceRows: number;
  behind: Record<string, number>;
}

/** The load: `writers` connections as fast as the source takes them, for `seconds`. */
async function load(): Promise<{ statements: number; inserted: number; lag: LagSample[] }> {
  let nextId = 1;
  let statements = 0;
  const end = Date.now() + seconds * 1000;
  const pad = 'p'.repeat(100);
  const writer = async () => {
    const conn = await connect(s.sourceUrl);
    try {
      let n = 0;
      while (Date.now() < end) {
        if (++n % updateEvery === 0 && nextId > 1) {
          const id = 1 + Math.floor(Math.random() * (nextId - 1));
          updated.add(id);
          await conn.execute(`UPDATE ${db}.t SET k = k + 1, src_ts = NOW(6) WHERE id = ?`, [id]);
        } else {
          await conn.execute(`INSERT INTO ${db}.t VALUES (?, ?, ?, NOW(6))`, [nextId++, n, pad]);
        }
        statements++;
      }
    } finally {
      await conn.end();
    }
  };
  const lag: LagSample[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => {
    const sourceRows = nextId; // ids 1..nextId-1 plus the warm-up row
    void Promise.all(targets.map(async (t) => [t.name, sourceRows - (await count(t.url))] as const)).then((pairs) => {
      const sample = { atSeconds: Math.round((Date.now() - t0) / 1000), sourceRows, behind: Object.fromEntries(pairs) };
      lag.push(sample);
      log(`${sample.atSeconds} s: ${sourceRows} rows written; behind ${pairs.map(([n, b]) => `${n} ${b}`).join(', ')}`);
    });
  }, 5000);
  await Promise.all(Array.from({ length: writers }, writer));
  clearInterval(sampler);
  return { statements, inserted: nextId - 1, lag };
}

interface TargetLatency {
  target: string;
  catchUpSeconds: number;
  latency: LatencySummary;
  met: boolean;
  sinkPeakRssMb: number | null;
  stages: Stages;
}

async function latencies(url: string): Promise<number[]> {
  const conn = await connect(url);
  try {
    const [rows] = (await conn.query(
      `SELECT TIMESTAMPDIFF(MICROSECOND, src_ts, applied) AS us FROM ${db}.t WHERE id > 0`,
    )) as unknown as [{ us: number }[]];
    return rows.map((r) => Number(r.us) / 1000);
  } catch (err) {
    const [cols] = await conn.query(`SHOW CREATE TABLE ${db}.t`);
    throw new Error(`${url.replace(/:[^:@/]*@/, ':***@')}: ${(err as Error).message}\n${JSON.stringify(cols)}`);
  } finally {
    await conn.end();
  }
}

interface Stages {
  /** Rows the split covers: inserted, never updated, seen by the arrivals reader. */
  rows: number;
  /** Source statement -> readable in Kafka (read_committed). */
  capture: LatencySummary;
  /** Readable in Kafka -> the sink's statement on the target. */
  sink: LatencySummary;
}

/** Where a row's time goes: the capture's part and the sink's, for rows inserted and never updated. */
async function stages(url: string): Promise<Stages> {
  const conn = await connect(url);
  try {
    const [rows] = (await conn.query(
      `SELECT id, UNIX_TIMESTAMP(src_ts) AS s, UNIX_TIMESTAMP(applied) AS a FROM ${db}.t WHERE id > 0`,
    )) as unknown as [{ id: number; s: string; a: string }[]];
    const capture: number[] = [];
    const sink: number[] = [];
    for (const r of rows) {
      const id = Number(r.id);
      const seen = arrivals.firstSeenMs.get(id);
      if (updated.has(id) || seen === undefined) continue;
      capture.push(seen - Number(r.s) * 1000);
      sink.push(Number(r.a) * 1000 - seen);
    }
    return { rows: capture.length, capture: summarise(capture), sink: summarise(sink) };
  } finally {
    await conn.end();
  }
}

const brief = (l: LatencySummary) =>
  `p50 ${l.p50Ms.toFixed(1)} ms, p90 ${l.p90Ms.toFixed(1)}, p99 ${l.p99Ms.toFixed(1)}, p99.9 ${l.p999Ms.toFixed(1)}, max ${l.maxMs.toFixed(1)}`;

/** One service's histogram, as a line: how many, the mean, and the bucket bounds of p50/p99. */
async function histogramLine(svc: BenchService, name: string, unit: 'ms' | 'records'): Promise<string> {
  const text = await fetch(`http://127.0.0.1:${svc.port}/metrics`).then((r) => r.text());
  const h: ScrapedHistogram | undefined = scrapeHistogram(text, name);
  if (!h || h.count === 0) return `${name}: none`;
  const k = unit === 'ms' ? 1000 : 1;
  const q = (p: number) => `${(bucketQuantile(h, p) * k).toLocaleString('en-US')}`;
  return `${name}: ${h.count} in the run, mean ${((h.sum / h.count) * k).toFixed(1)} ${unit}, p50 <= ${q(0.5)}, p99 <= ${q(0.99)}`;
}

async function measure(): Promise<void> {
  log(
    `targets: ${targets.map((t) => t.name).join(', ')}; ${writers} writers for ${seconds} s, 1 UPDATE in ${updateEvery} statements`,
  );
  await setUp();
  const t0 = performance.now();
  const { statements, inserted, lag } = await load();
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`load done: ${statements} statements (${Math.round(statements / loadSeconds)}/s), ${inserted} rows`);
  const want = await one<{ n: number; c: string }>(s.sourceUrl, CHECKSUM);
  const results: TargetLatency[] = [];
  for (const [i, t] of targets.entries()) {
    await until(`${t.name} to equal the source`, 600_000, async () => {
      const got = await one<{ n: number; c: string }>(t.url, CHECKSUM);
      return String(got.n) === String(want.n) && String(got.c) === String(want.c);
    });
    const catchUpSeconds = (performance.now() - t0) / 1000 - loadSeconds;
    const latency = summarise(await latencies(t.url));
    const sink = services[i + 1];
    results.push({
      target: t.name,
      catchUpSeconds,
      latency,
      met: latency.p99Ms <= TARGET_P99_MS,
      stages: await stages(t.url),
      sinkPeakRssMb: sink ? (procStats(sink.pid)?.peakRssMb ?? null) : null,
    });
  }
  const capture = services[0];
  const capturePeakRssMb = capture ? (procStats(capture.pid)?.peakRssMb ?? null) : null;
  console.log('');
  console.log(
    `end to end, ${statements} statements in ${loadSeconds.toFixed(1)} s (${Math.round(statements / loadSeconds)}/s) from ${writers} writers`,
  );
  for (const r of results) {
    const l = r.latency;
    console.log(
      `${r.target}: ${brief(l)} (${l.rows} rows; equal ${r.catchUpSeconds.toFixed(1)} s after the load) -> p99 ${r.met ? '<=' : '>'} ${TARGET_P99_MS} ms: ${r.met ? 'met' : 'NOT met'}`,
    );
    for (const line of histogramLines(l)) console.log(line);
    const st = r.stages;
    console.log(`  of which (${st.rows} rows inserted and never updated): capture ${brief(st.capture)}`);
    console.log(`  ${' '.repeat(`of which (${st.rows} rows inserted and never updated): `.length - 2)}sink    ${brief(st.sink)}`);
  }
  // Where a row waits: the capture's Kafka transactions (group commit) and the sinks' batches.
  const [capture0, ...sinks] = services;
  if (capture0) {
    console.log(await histogramLine(capture0, 'sluice_capture_kafka_transaction_seconds', 'ms'));
    console.log(await histogramLine(capture0, 'sluice_capture_kafka_transaction_records', 'records'));
  }
  for (const [i, sink] of sinks.entries()) {
    console.log(`${targets[i]?.name} ${await histogramLine(sink, 'sluice_sink_batch_seconds', 'ms')}`);
    console.log(`${targets[i]?.name} ${await histogramLine(sink, 'sluice_sink_batch_rows', 'records')}`);
  }
  const behindAtEnd = lag.at(-1)?.behind ?? {};
  console.log(`rows behind at the last sample: ${JSON.stringify(behindAtEnd)}; capture peak RSS ${capturePeakRssMb} MB`);
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `e2e-${stamp}.json`);
  const result = { writers, seconds: loadSeconds, statements, inserted, lag, capturePeakRssMb, targets: results };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`written ${file}`);
}

async function cleanUp(): Promise<void> {
  await arrivals.stop();
  for (const svc of services) await svc.stop().catch(() => undefined);
  for (const url of [s.sourceUrl, ...targets.map((t) => t.url)]) {
    await one(url, `DROP DATABASE IF EXISTS ${db}`).catch((e) => log(`drop ${database}: ${e.message}`));
  }
  const problems = await cleanKafka({ brokers: s.kafkaBrokers, registryUrl: s.registryUrl, prefix, groupPrefixes: [prefix] });
  for (const p of problems) log(`clean-up: ${p}`);
}

await runBench({
  name: 'bench-e2e',
  log,
  began,
  run: measure,
  cleanUp,
  onFailure: () => {
    for (const svc of services) console.error(`--- ${svc.kind} log tail\n${svc.tail(15)}`);
  },
});
