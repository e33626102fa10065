/**
 * make bench-restore: how fast `sluice restore` (docs/backup.md) replays archived changes into
 * MariaDB, against a plain loop of multi-row INSERTs of the same rows into the same server.
 *
 *   1. create <prefix>.<db>.events empty and take a base of it with `sluice backup` (an empty
 *      base: every row comes from the archive, the path a restore spends its time on)
 *   2. produce BENCH_ROWS (default 200,000) change records (op 'c', distinct keys, source
 *      transactions of 1,000 rows 10 ms apart) as bench-sink does, and let the archive sink
 *      write them to files until its offsets are committed
 *   3. restore: `sluice restore --to-time` the last source transaction's time minus 1 ms (every
 *      transaction but the last), into a fresh database of the stack's MariaDB; the CLI's own
 *      figure (from the first file read to the last commit) and the wall time of the command
 *      (start-up, plan, target check included) -> rows/s; the restored table's row count is checked
 *   4. plain: BENCH_PLAIN_BATCH (1,000) rows per INSERT ... ON DUPLICATE KEY UPDATE of the same
 *      rows into a fresh table (bench/sink/plain.ts) -> rows/s; ratio restore / plain
 *   5. print, write bench/results/restore-<timestamp>.json, drop what it created
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, createLogger, qualified, removeTree, tableTopic } from '@sluice/core';
import { freePort } from '../../test/support/services.ts';
import { stack } from '../../test/support/stack.ts';
import { cleanKafka } from '../capture/cleanup.ts';
import { runBench } from '../common/bench-main.ts';
import { GroupProgress } from '../sink/group-progress.ts';
import { plainUpserts } from '../sink/plain.ts';
import { benchTable } from '../sink/rows.ts';
import { SinkProcess } from '../sink/sink-process.ts';
import { connect, countRows, dropDatabase, probeTarget } from '../sink/target.ts';
import { produceBacklog } from '../sink/topic-backlog.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'services/cli/src/main.ts');
const rows = Number(process.env.BENCH_ROWS ?? 200_000);
const plainBatch = Number(process.env.BENCH_PLAIN_BATCH ?? 1_000);
const s = stack();
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase();
const prefix = `brst${stamp}`;
const database = `bench_restore_${stamp}`;
const restoredDb = `${database}_r`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-restore-'));
const began = performance.now();
const log = (msg: string) => console.log(`[bench-restore +${((performance.now() - began) / 1000).toFixed(1)}s] ${msg}`);
const progress = new GroupProgress(s.kafkaBrokers);
let sink: SinkProcess | undefined;
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];

/** `sluice <args>` as its own process; its output and exit code. */
function sluice(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, SLUICE_NO_STACK_ENV: '1' }, stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function measure() {
  if (!mariadb) throw new Error('no MariaDB target in TARGET_URLS');
  const target = await probeTarget(root, mariadb.url);
  const table = benchTable(database);
  const topic = tableTopic(prefix, table.database, table.table);
  const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-bench', log: createLogger('bench', 'warn') });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          // No limits: sluice backup refuses a topic that may drop old rows (BACKUP_TOPIC_NOT_COMPACTED).
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: '-1' },
            { name: 'retention.bytes', value: '-1' },
          ],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  const kafkaArgs = ['--prefix', prefix, '--brokers', s.kafkaBrokers.join(','), '--registry', s.registryUrl];
  const backup = await sluice(['backup', '--path', dir, ...kafkaArgs]);
  if (backup.code !== 0) throw new Error(`sluice backup failed:\n${backup.out}`);
  log(`empty base taken: ${backup.out.split('\n')[0]}`);

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
  sink.spawn();
  await sink.waitReady();
  const proc = sink;
  await progress.until({
    groupId,
    topic: backlog.topic,
    end: backlog.endOffset,
    alive: () => proc.running,
    progress: () => undefined,
  });
  await sink.stop();
  log('archived');

  // Source transactions of 1,000 rows, 10 ms apart from 2024-01-01 (topic-backlog.ts): all but the last.
  const txns = Math.ceil(rows / 1_000);
  const toMs = Date.UTC(2024, 0, 1) + (txns - 1) * 10 - 1;
  const expected = rows - (rows - (txns - 1) * 1_000);
  const loadRestore = loadavg()[0] ?? 0;
  const t0 = performance.now();
  const r = await sluice([
    'restore',
    '--path',
    dir,
    '--to-time',
    String(toMs),
    '--target',
    target.url,
    '--rename',
    `${database}=${restoredDb}`,
  ]);
  const wall = (performance.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`sluice restore failed:\n${r.out}`);
  const m = /in ([\d.]+) s \(([\d,]+) rows\/s\)/.exec(r.out);
  if (!m) throw new Error(`no figure in the restore's summary:\n${r.out}`);
  const restoreSeconds = Number(m[1]);
  const restoredRows = await countRows(target.url, restoredDb, table.table);
  if (restoredRows !== expected) throw new Error(`the restored table holds ${restoredRows} rows, expected ${expected}`);
  log(`restore: ${r.out.trim().split('\n').pop()}`);

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
  const plain = await plainUpserts({
    url: target.url,
    database,
    table: 'events_plain',
    rows: expected,
    batch: plainBatch,
    protocol: 'binary',
  });
  const restoreRate = expected / restoreSeconds;
  const plainRate = expected / plain.seconds;
  return {
    timestamp: stamp,
    rows: expected,
    restore: { seconds: restoreSeconds, rowsPerSecond: restoreRate, wallSeconds: wall, wallRowsPerSecond: expected / wall },
    plain: { seconds: plain.seconds, rowsPerSecond: plainRate, batch: plainBatch, target: target.version },
    ratio: restoreRate / plainRate,
    loadAvg: { restore: loadRestore, plain: loadPlain },
    machine: { cpus: availableParallelism(), node: process.version },
  };
}

async function cleanUp(): Promise<void> {
  await sink?.stop().catch(() => undefined);
  await progress.close();
  if (mariadb) {
    await dropDatabase(mariadb.url, database).catch(() => undefined);
    await dropDatabase(mariadb.url, restoredDb).catch(() => undefined);
  }
  const left = await cleanKafka({
    brokers: s.kafkaBrokers,
    registryUrl: s.registryUrl,
    prefix,
    groupPrefixes: [`${prefix}-`],
  }).catch((e) => [`kafka clean-up: ${e.message}`]);
  await removeTree(dir);
  log(
    left.length ? `clean-up incomplete: ${left.join('; ')}` : 'cleaned up: archive directory, databases, topic, subjects, groups',
  );
}

await runBench({
  name: 'bench-restore',
  log,
  began,
  cleanUp,
  run: async () => {
    const r = await measure();
    const f = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(
      [
        `restore: ${f(r.restore.rowsPerSecond)} rows/s (${f(r.rows)} rows in ${r.restore.seconds.toFixed(1)} s; the whole command ${r.restore.wallSeconds.toFixed(1)} s, ${f(r.restore.wallRowsPerSecond)} rows/s)`,
        `plain INSERT (MariaDB ${r.plain.target}, ${r.plain.batch} rows a statement): ${f(r.plain.rowsPerSecond)} rows/s`,
        `ratio restore / plain: ${r.ratio.toFixed(2)}   (load average ${r.loadAvg.restore.toFixed(2)} / ${r.loadAvg.plain.toFixed(2)})`,
      ].join('\n'),
    );
    const file = join(root, 'bench/results', `restore-${stamp}.json`);
    writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
    log(`written to ${file}`);
  },
});
