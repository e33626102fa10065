/**
 * make bench-archive: how fast the archive sink (target.kind archive, docs/backup.md) writes a
 * topic backlog to Avro files, against a plain loop of multi-row INSERTs of the same rows into
 * the stack's MariaDB target (what the SQL sink is measured against in bench-sink).
 *
 *   1. produce BENCH_ROWS (default 200,000) change records (op 'c', distinct keys) to
 *      <prefix>.<db>.events, as bench-sink does (bench/sink/topic-backlog.ts)
 *   2. archive: the real sink service with target.kind archive into a temp directory, from spawn
 *      until its committed offsets reach the end of the topic (offsets move only once a file is
 *      durable; the last file closes after maxFileAgeMs, 1 s here) -> rows/s; the manifests then
 *      must count every row, and the bytes on disk are reported
 *   3. plain: BENCH_PLAIN_BATCH (1,000) rows per INSERT ... ON DUPLICATE KEY UPDATE into a fresh
 *      table of MariaDB, one statement per transaction (bench/sink/plain.ts) -> rows/s
 *   4. print, write bench/results/archive-<timestamp>.json, drop what it created
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { qualified, readManifest, removeTree, tableDirs } from '@sluice/core';
import { freePort } from '../../test/support/services.ts';
import { stack } from '../../test/support/stack.ts';
import { cleanKafka } from '../capture/cleanup.ts';
import { ProcSampler, procStats } from '../capture/proc.ts';
import { runBench } from '../common/bench-main.ts';
import { GroupProgress } from '../sink/group-progress.ts';
import { plainUpserts } from '../sink/plain.ts';
import { SinkProcess } from '../sink/sink-process.ts';
import { connect, dropDatabase, probeTarget } from '../sink/target.ts';
import { produceBacklog } from '../sink/topic-backlog.ts';

const root = new URL('../../', import.meta.url).pathname;
const rows = Number(process.env.BENCH_ROWS ?? 200_000);
const plainBatch = Number(process.env.BENCH_PLAIN_BATCH ?? 1_000);
const s = stack();
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase();
const prefix = `barch${stamp}`;
const database = `bench_archive_${stamp}`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-archive-'));
const began = performance.now();
const log = (msg: string) => console.log(`[bench-archive +${((performance.now() - began) / 1000).toFixed(1)}s] ${msg}`);
const progress = new GroupProgress(s.kafkaBrokers);
let sink: SinkProcess | undefined;
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];

async function measure() {
  if (!mariadb) throw new Error('no MariaDB target in TARGET_URLS');
  const target = await probeTarget(root, mariadb.url);
  log(`producing ${rows.toLocaleString('en-US')} change records`);
  const backlog = await produceBacklog({
    brokers: s.kafkaBrokers,
    registryUrl: s.registryUrl,
    prefix,
    database,
    rows,
    batch: 1_000,
    partitions: 1,
  });
  log(`topic produced in ${backlog.seconds.toFixed(1)} s (${(backlog.bytes / 2 ** 20).toFixed(1)} MiB)`);

  const groupId = `${prefix}-archive`;
  sink = new SinkProcess(
    {
      sinkName: groupId,
      target: { kind: 'archive', path: dir, maxFileAgeMs: 1_000 },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
    },
    freePort(),
  );
  const loadArchive = loadavg()[0] ?? 0;
  const t0 = performance.now();
  sink.spawn();
  const sampler = new ProcSampler(sink.pid);
  await sink.waitReady();
  const ready = performance.now();
  const proc = sink;
  const done = await progress.until({
    groupId,
    topic: backlog.topic,
    end: backlog.endOffset,
    alive: () => proc.running,
    progress: (n) => log(`archive committed ${n.toLocaleString('en-US')} of ${backlog.endOffset.toLocaleString('en-US')}`),
  });
  const final = procStats(sink.pid) ?? sampler.stop();
  sampler.stop();
  await sink.stop();
  const archiveSeconds = (done - t0) / 1000;
  let archived = 0;
  let files = 0;
  let bytes = 0;
  for (const d of await tableDirs(dir)) {
    for (const e of await readManifest(d)) {
      archived += e.rows;
      files++;
      bytes += e.bytes;
    }
  }
  if (archived !== rows) throw new Error(`the archive holds ${archived} rows with all offsets committed, expected ${rows}`);
  log(`archive: ${archiveSeconds.toFixed(1)} s, ${files} files, ${(bytes / 2 ** 20).toFixed(1)} MiB`);

  const conn = await connect(target.url);
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
    await conn.query(
      `CREATE TABLE ${qualified(database, 'events_plain')} (id BIGINT NOT NULL PRIMARY KEY, a INT NULL,
        b VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL, c DECIMAL(12,2) NULL, d DATETIME(6) NULL)`,
    );
  } finally {
    await conn.end();
  }
  const loadPlain = loadavg()[0] ?? 0;
  log(`plain: ${plainBatch} rows per INSERT into MariaDB`);
  const plain = await plainUpserts({
    url: target.url,
    database,
    table: 'events_plain',
    rows,
    batch: plainBatch,
    protocol: 'binary',
  });
  const archiveRate = rows / archiveSeconds;
  const plainRate = rows / plain.seconds;
  return {
    timestamp: stamp,
    rows,
    topicBytes: backlog.bytes,
    archive: {
      seconds: archiveSeconds,
      rowsPerSecond: archiveRate,
      // From ready (in the group) to every offset committed: without start-up and the group join.
      streamingRowsPerSecond: rows / ((done - ready) / 1000),
      files,
      bytes,
      peakRssMb: final?.peakRssMb ?? 0,
      cpuSeconds: final?.cpuSeconds ?? 0,
    },
    plain: { seconds: plain.seconds, rowsPerSecond: plainRate, batch: plainBatch, target: target.version },
    ratio: archiveRate / plainRate,
    loadAvg: { archive: loadArchive, plain: loadPlain },
    machine: { cpus: availableParallelism(), node: process.version },
  };
}

async function cleanUp(): Promise<void> {
  await sink?.stop().catch(() => undefined);
  await progress.close();
  if (mariadb) await dropDatabase(mariadb.url, database).catch(() => undefined);
  const left = await cleanKafka({
    brokers: s.kafkaBrokers,
    registryUrl: s.registryUrl,
    prefix,
    groupPrefixes: [`${prefix}-`],
  }).catch((e) => [`kafka clean-up: ${e.message}`]);
  await removeTree(dir);
  log(
    left.length ? `clean-up incomplete: ${left.join('; ')}` : 'cleaned up: archive directory, database, topic, subjects, groups',
  );
}

await runBench({
  name: 'bench-archive',
  log,
  began,
  cleanUp,
  run: async () => {
    const r = await measure();
    const f = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(
      [
        `archive sink: ${f(r.archive.rowsPerSecond)} rows/s (${r.archive.seconds.toFixed(1)} s incl. start-up; ${f(r.archive.streamingRowsPerSecond)} rows/s once in the group), ${r.archive.files} files, ` +
          `${(r.archive.bytes / 2 ** 20).toFixed(1)} MiB on disk for ${(r.topicBytes / 2 ** 20).toFixed(1)} MiB of records, ` +
          `peak RSS ${r.archive.peakRssMb.toFixed(0)} MB, CPU ${r.archive.cpuSeconds.toFixed(1)} s)`,
        `plain INSERT (MariaDB ${r.plain.target}, ${r.plain.batch} rows a statement): ${f(r.plain.rowsPerSecond)} rows/s`,
        `ratio archive / plain: ${r.ratio.toFixed(2)}   (load average ${r.loadAvg.archive.toFixed(2)} / ${r.loadAvg.plain.toFixed(2)})`,
      ].join('\n'),
    );
    const file = join(root, 'bench/results', `archive-${stamp}.json`);
    writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
    log(`written to ${file}`);
  },
});
