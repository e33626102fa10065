/**
 * make bench-capture, TiDB part (issue 15): how fast the query capture (source.kind tidb) turns a
 * table of TiDB into committed Kafka records, against a plain key-ordered SELECT scan of the same
 * table on the same TiDB (the issue's aim: at least half).
 *
 *   1. write BENCH_TIDB_ROWS (default 1,000,000) rows into a fresh iso_bench_tidb_* database
 *   2. scan: key-ordered SELECTs of 5,000 rows through mysql2's binary protocol (median of 3)
 *   3. snapshot: the capture service publishes the whole table from one read point
 *   4. cycle: with the capture stopped, every row is updated; the capture started again publishes
 *      them in one cycle (each row read at both read points, key ranges compared)
 *   5. print and write bench/results/capture-tidb-<timestamp>.json, then drop what it created
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mysqlOptionsFromUrl, quoteIdent, Tso } from '@sluice/core';
import mysql from 'mysql2/promise';
import { freePort } from '../../test/support/services.ts';
import { stack } from '../../test/support/stack.ts';
import { runBench } from '../common/bench-main.ts';
import { CaptureProcess } from './capture-process.ts';
import { CheckpointWatch } from './checkpoint-watch.ts';
import { cleanKafka } from './cleanup.ts';
import { ProcSampler, procStats } from './proc.ts';

const TARGET_RATIO = 0.5;
const root = new URL('../../', import.meta.url).pathname;
const rows = Number(process.env.BENCH_TIDB_ROWS ?? 1_000_000);
const batch = 2_000;
const chunk = 5_000;
const s = stack();
const tidb = s.targets.find((t) => t.name === 'tidb');
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase();
const database = `iso_bench_tidb_${stamp}`;
const prefix = `bench_tidb_${stamp}`;
const table = `${quoteIdent(database)}.events`;
const began = performance.now();
const log = (msg: string) => console.log(`[bench-capture tidb +${((performance.now() - began) / 1000).toFixed(1)}s] ${msg}`);
let capture: CaptureProcess | undefined;

async function sql(): Promise<mysql.Connection> {
  if (!tidb) throw new Error('the stack has no TiDB (SLUICE_TARGETS without tidb)');
  return mysql.createConnection({ ...mysqlOptionsFromUrl(tidb.url), multipleStatements: false });
}

async function writeTable(): Promise<number> {
  const c = await sql();
  const t0 = performance.now();
  try {
    await c.query(`CREATE DATABASE ${quoteIdent(database)}`);
    await c.query(
      `CREATE TABLE ${table} (id BIGINT PRIMARY KEY, a INT, b VARCHAR(64), c DECIMAL(12,2), d DATETIME(6),
         u TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`,
    );
    for (let i = 0; i < rows; i += batch) {
      const values = Array.from({ length: Math.min(batch, rows - i) }, (_, j) => {
        const id = i + j + 1;
        return [id, id % 1000, `row ${id} of the tidb capture bench`, (id % 100000) / 100, '2026-01-01 00:00:00.000001'];
      });
      await c.query(`INSERT INTO ${table} (id, a, b, c, d) VALUES ?`, [values]);
    }
  } finally {
    await c.end();
  }
  return (performance.now() - t0) / 1000;
}

/** The plain key-ordered scan the capture is measured against: rows/s, median of three passes. */
async function scan(): Promise<{ seconds: number; passes: number[] }> {
  const c = await sql();
  const passes: number[] = [];
  try {
    for (let p = 0; p < 3; p++) {
      const t0 = performance.now();
      let after = 0;
      let n = 0;
      for (;;) {
        const [r] = await c.execute<mysql.RowDataPacket[]>(
          `SELECT id, a, b, c, d, u FROM ${table} WHERE id > ? ORDER BY id LIMIT ${chunk}`,
          [after],
        );
        if (r.length === 0) break;
        n += r.length;
        after = Number(r[r.length - 1]?.id);
      }
      if (n !== rows) throw new Error(`scan read ${n} rows, expected ${rows}`);
      passes.push((performance.now() - t0) / 1000);
    }
  } finally {
    await c.end();
  }
  return { seconds: [...passes].sort((a, b) => a - b)[1] as number, passes };
}

async function currentTso(): Promise<Tso> {
  const c = await sql();
  try {
    await c.query('BEGIN');
    const [r] = await c.query<mysql.RowDataPacket[]>('SELECT @@tidb_current_ts AS ts');
    await c.query('ROLLBACK');
    return Tso.parse(String(r[0]?.ts)).floorMs();
  } finally {
    await c.end();
  }
}

/** Runs the capture until a checkpoint at or past `end` (after the snapshot) is committed. */
async function runCapture(what: string, end: Tso, afterSnapshot: boolean) {
  const proc = new CaptureProcess(
    {
      captureId: prefix,
      source: { url: tidb?.url, kind: 'tidb', query: { intervalMs: 1000 } },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
      tables: { include: [`${database}.*`] },
      topics: { cleanupPolicy: 'delete' },
      snapshot: { mode: 'initial', chunkRows: chunk },
    },
    freePort(),
  );
  capture = proc;
  const watch = new CheckpointWatch({ brokers: s.kafkaBrokers, registryUrl: s.registryUrl, prefix, captureId: prefix });
  try {
    const t0 = performance.now();
    proc.spawn();
    const sampler = new ProcSampler(proc.pid);
    await proc.waitReady();
    const done = await watch.until(end.asPosition(), () => proc.running, 1_800_000, afterSnapshot);
    const final = procStats(proc.pid) ?? sampler.stop();
    sampler.stop();
    await proc.stop();
    const seconds = (done - t0) / 1000;
    log(`${what}: ${rows} rows committed in ${seconds.toFixed(1)} s`);
    return { seconds, rowsPerSecond: rows / seconds, peakRssMb: final?.peakRssMb ?? 0, cpuSeconds: final?.cpuSeconds ?? 0 };
  } finally {
    await watch.close();
  }
}

async function updateAll(): Promise<number> {
  const c = await sql();
  const t0 = performance.now();
  try {
    for (let i = 0; i < rows; i += 10_000)
      await c.query(`UPDATE ${table} SET a = a + 1 WHERE id > ? AND id <= ?`, [i, i + 10_000]);
  } finally {
    await c.end();
  }
  return (performance.now() - t0) / 1000;
}

async function run(): Promise<void> {
  log(`writing ${rows.toLocaleString('en-US')} rows into ${database} on TiDB`);
  const writeSeconds = await writeTable();
  log(`written in ${writeSeconds.toFixed(1)} s`);
  const plain = await scan();
  const scanRate = rows / plain.seconds;
  log(`plain key-ordered scan: ${Math.round(scanRate)} rows/s (passes ${plain.passes.map((p) => p.toFixed(1)).join(', ')} s)`);
  const snapshot = await runCapture('snapshot', await currentTso(), true);
  log('updating every row with the capture stopped');
  const updateSeconds = await updateAll();
  const cycle = await runCapture('cycle (every row updated)', await currentTso(), true);
  const result = {
    timestamp: stamp,
    rows,
    writeSeconds,
    updateSeconds,
    scan: { seconds: plain.seconds, passes: plain.passes, rowsPerSecond: scanRate },
    snapshot: { ...snapshot, ratio: snapshot.rowsPerSecond / scanRate },
    cycle: { ...cycle, ratio: cycle.rowsPerSecond / scanRate },
    target: TARGET_RATIO,
    targetMet: snapshot.rowsPerSecond / scanRate >= TARGET_RATIO,
  };
  console.log(`
TiDB query capture, ${rows.toLocaleString('en-US')} rows (one run, same TiDB):
  plain key-ordered SELECT scan   ${Math.round(scanRate).toLocaleString('en-US').padStart(9)} rows/s
  capture snapshot -> Kafka       ${Math.round(snapshot.rowsPerSecond).toLocaleString('en-US').padStart(9)} rows/s  ratio ${result.snapshot.ratio.toFixed(3)}  RSS ${Math.round(snapshot.peakRssMb)} MB  CPU ${snapshot.cpuSeconds.toFixed(1)} s
  capture cycle (all rows updated)${Math.round(cycle.rowsPerSecond).toLocaleString('en-US').padStart(9)} rows/s  ratio ${result.cycle.ratio.toFixed(3)}  RSS ${Math.round(cycle.peakRssMb)} MB  CPU ${cycle.cpuSeconds.toFixed(1)} s
  target: snapshot ratio >= ${TARGET_RATIO}: ${result.targetMet ? 'met' : 'NOT met'}`);
  writeFileSync(join(root, `bench/results/capture-tidb-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

async function cleanUp(): Promise<void> {
  await capture?.stop().catch(() => undefined);
  const c = await sql().catch(() => undefined);
  await c?.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`).catch(() => undefined);
  await c?.end();
  await cleanKafka({ brokers: s.kafkaBrokers, registryUrl: s.registryUrl, prefix, groupPrefixes: [`${prefix}.`] }).catch(
    () => undefined,
  );
}

await runBench({ name: 'bench-capture (tidb)', log, began, run, cleanUp });
