/**
 * make bench-sink: how fast the sink applies a topic backlog to each target, against a plain loop
 * of multi-row upserts of the same rows on the same target (the issue's targets: at least 0.7 into
 * MariaDB, 0.9 into TiDB).
 *
 *   1. produce BENCH_ROWS (default 1,000,000) change records (op 'c', distinct keys) for one table
 *      to <prefix>.<db>.events, once, read by every target's sink
 *   2. per target (MariaDB, then TiDB; a target missing from TARGET_URLS is skipped):
 *      a. sink: the real sink service, from spawn until its committed offsets reach the end of the
 *         topic (then the row count is checked) -> rows/s, peak RSS (VmHWM)
 *      b. plain: a fresh table of the same definition, BENCH_PLAIN_BATCH (1,000) rows per
 *         INSERT ... ON DUPLICATE KEY UPDATE, one statement per transaction -> rows/s
 *   3. print and write bench/results/sink-<timestamp>.json, then drop everything it created
 *
 * BENCH_CPU_PROF=1 runs the sink under --cpu-prof and prints where its CPU time went;
 * BENCH_TARGETS (mariadb,tidb), BENCH_PLAIN_PROTOCOL (binary: prepared statements as the sink;
 * text), BENCH_PLAIN_BATCH, BENCH_PARTITIONS (1, as capture's default; the sink applies up to
 * `parallelism` partitions at once) and BENCH_PRODUCE_BATCH change the run.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/services.ts';
import { stack } from '../../test/support/stack.ts';
import { cleanKafka } from '../capture/cleanup.ts';
import { summariseProfiles } from '../capture/cpu-profile.ts';
import { ProcSampler, procStats } from '../capture/proc.ts';
import { runBench } from '../common/bench-main.ts';
import { runJsonChild } from '../common/json-child.ts';
import type { ConsumerCeiling, ConsumerCeilingJob } from './consumer-ceiling-child.ts';
import { GroupProgress } from './group-progress.ts';
import { type PlainProtocol, plainUpserts } from './plain.ts';
import { printResult, type SinkBenchResult, type TargetResult, writeResult } from './report.ts';
import { SinkProcess } from './sink-process.ts';
import {
  aggregate,
  type BenchTarget,
  countRows,
  dropDatabase,
  probeTarget,
  replaceWithEmptyCopy,
  type TableAggregate,
} from './target.ts';
import { SINK_RATIO } from './target-ratio.ts';
import { produceBacklog, type TopicBacklog } from './topic-backlog.ts';

const KINDS = ['mariadb', 'tidb'] as const;
const root = new URL('../../', import.meta.url).pathname;
const resultsDir = join(root, 'bench/results');
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const plainBatch = Number(process.env.BENCH_PLAIN_BATCH ?? 1_000);
const plainProtocol = (process.env.BENCH_PLAIN_PROTOCOL ?? 'binary') as PlainProtocol;
const produceBatch = Number(process.env.BENCH_PRODUCE_BATCH ?? 1_000);
const partitions = Math.max(1, Number(process.env.BENCH_PARTITIONS ?? 1));
const wanted = (process.env.BENCH_TARGETS ?? KINDS.join(',')).split(',').map((s) => s.trim());
const cpuProf = process.env.BENCH_CPU_PROF === '1';

const s = stack();
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase(); // 20250101t120000
const prefix = `bsink${stamp}`;
const database = `bench_sink_${stamp}`;
const began = performance.now();
const log = (msg: string) => console.log(`[bench-sink +${((performance.now() - began) / 1000).toFixed(1)}s] ${msg}`);

let sink: SinkProcess | undefined;
const progress = new GroupProgress(s.kafkaBrokers);
const probed: BenchTarget[] = [];

async function probeTargets(): Promise<void> {
  for (const t of s.targets) {
    try {
      probed.push(await probeTarget(root, t.url));
    } catch (err) {
      log(`target ${t.name} (${t.url.replace(/:[^:@/]*@/, ':***@')}) does not answer: ${(err as Error).message}`);
    }
  }
}

async function measureTarget(t: BenchTarget, backlog: TopicBacklog): Promise<TargetResult> {
  const kind = t.kind as (typeof KINDS)[number];
  const began = performance.now();
  const serverCpu = () => (t.serverPid === undefined ? undefined : procStats(t.serverPid)?.cpuSeconds);
  const spent = (from: number | undefined) => {
    const now = serverCpu();
    return from === undefined || now === undefined ? null : now - from;
  };

  // a. the sink
  const groupId = `${prefix}-${kind}`;
  const proc = new SinkProcess(
    {
      sinkName: groupId,
      target: { url: t.url, kind },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
      // The sink's checkpoint rows live and go with the bench database (not the shared _sluice).
      checkpointSchema: backlog.database,
    },
    freePort(),
  );
  sink = proc;
  const flags = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, `prof-sink-${stamp}-${kind}`)}`] : [];
  const loadSink = loadavg()[0] ?? 0;
  log(`${kind}: sink ${groupId} applying ${rows.toLocaleString('en-US')} records (load average ${loadSink.toFixed(2)})`);
  const server0 = serverCpu();
  const t0 = performance.now();
  proc.spawn(flags);
  const sampler = new ProcSampler(proc.pid);
  await proc.waitReady();
  const ready = performance.now();
  const done = await progress.until({
    groupId,
    topic: backlog.topic,
    end: backlog.endOffset,
    alive: () => proc.running,
    progress: (n) => log(`${kind}: sink committed ${n.toLocaleString('en-US')} of ${backlog.endOffset.toLocaleString('en-US')}`),
  });
  const sinkServerCpu = spent(server0);
  const final = procStats(proc.pid) ?? sampler.stop();
  sampler.stop();
  await proc.stop();
  if (cpuProf) summariseProfiles(join(resultsDir, `prof-sink-${stamp}-${kind}`));
  const sinkSeconds = (done - t0) / 1000;
  log(`${kind}: sink done in ${sinkSeconds.toFixed(1)} s (${((ready - t0) / 1000).toFixed(1)} s start-up)`);
  const count = await countRows(t.url, backlog.database, backlog.table);
  if (count !== rows) throw new Error(`the sink's table holds ${count} rows with all offsets committed, expected ${rows}`);
  const sinkAgg = await aggregate(t.url, backlog.database, backlog.table);

  // b. the plain loop, into a fresh table of the same definition
  const plainTable = `${backlog.table}_plain`;
  await replaceWithEmptyCopy(t.url, backlog.database, backlog.table, plainTable);
  const loadPlain = loadavg()[0] ?? 0;
  log(`${kind}: plain upsert loop, ${plainBatch} rows per statement (${plainProtocol}; load average ${loadPlain.toFixed(2)})`);
  const plainServer0 = serverCpu();
  const plain = await plainUpserts({
    url: t.url,
    database: backlog.database,
    table: plainTable,
    rows,
    batch: plainBatch,
    protocol: plainProtocol,
  });
  const plainServerCpu = spent(plainServer0);
  log(`${kind}: plain done in ${plain.seconds.toFixed(1)} s`);
  const plainAgg: TableAggregate = await aggregate(t.url, backlog.database, plainTable);

  const sinkRate = rows / sinkSeconds;
  const plainRate = rows / plain.seconds;
  return {
    target: kind,
    status: 'measured',
    version: t.version,
    rows,
    sink: {
      seconds: sinkSeconds,
      rowsPerSecond: sinkRate,
      startupSeconds: (ready - t0) / 1000,
      streamingRowsPerSecond: rows / ((done - ready) / 1000),
      peakRssMb: final?.peakRssMb ?? 0,
      cpuSeconds: final?.cpuSeconds ?? 0,
      serverCpuSeconds: sinkServerCpu,
    },
    plain: {
      seconds: plain.seconds,
      rowsPerSecond: plainRate,
      batch: plainBatch,
      statements: plain.statements,
      protocol: plainProtocol,
      serverCpuSeconds: plainServerCpu,
    },
    ratio: sinkRate / plainRate,
    targetRatio: SINK_RATIO[kind],
    targetMet: sinkRate / plainRate >= SINK_RATIO[kind],
    check: { sink: sinkAgg, plain: plainAgg, equal: JSON.stringify(sinkAgg) === JSON.stringify(plainAgg) && sinkAgg.n === rows },
    loadAvg: { sink: loadSink, plain: loadPlain },
    seconds: (performance.now() - began) / 1000,
  };
}

async function measure(): Promise<SinkBenchResult> {
  await probeTargets();
  log(`producing ${rows.toLocaleString('en-US')} change records to ${prefix}.${database}.events`);
  const backlog = await produceBacklog({
    brokers: s.kafkaBrokers,
    registryUrl: s.registryUrl,
    prefix,
    database,
    rows,
    batch: produceBatch,
    partitions,
  });
  log(`topic produced in ${backlog.seconds.toFixed(1)} s (${(backlog.bytes / 2 ** 20).toFixed(1)} MiB)`);
  log('consumer ceiling: kafkajs alone reading the backlog as the sink does, without decoding or applying');
  const ceilingJob: ConsumerCeilingJob = { brokers: s.kafkaBrokers, topic: backlog.topic, groupId: `${prefix}-ceiling`, rows };
  const ceiling = await runJsonChild<ConsumerCeiling>(
    new URL('./consumer-ceiling-child.ts', import.meta.url).pathname,
    ceilingJob,
    'consumer ceiling',
  );
  const targets: TargetResult[] = [];
  for (const kind of KINDS) {
    const t = probed.find((p) => p.kind === kind);
    if (!wanted.includes(kind)) {
      targets.push({ target: kind, status: 'skipped', reason: 'not in BENCH_TARGETS', rows });
    } else if (!t) {
      log(`${kind}: no ${kind} target in TARGET_URLS (or it does not answer): skipped`);
      targets.push({ target: kind, status: 'skipped', reason: 'not in TARGET_URLS or not answering', rows });
    } else {
      try {
        targets.push(await measureTarget(t, backlog));
      } catch (err) {
        console.error(`bench-sink ${kind} failed: ${(err as Error)?.stack ?? err}`);
        if (sink) console.error(`sink log (${sink.logFile}):\n${sink.tail()}`);
        await sink?.stop().catch(() => undefined);
        targets.push({ target: kind, status: 'failed', reason: String((err as Error)?.message ?? err), rows });
        process.exitCode = 1;
      }
    }
  }
  return {
    timestamp: stamp,
    rows,
    topic: {
      name: backlog.topic,
      partitions,
      bytes: backlog.bytes,
      produceSeconds: backlog.seconds,
      recordsPerSecond: rows / backlog.seconds,
    },
    consumerCeiling: { seconds: ceiling.seconds, rowsPerSecond: ceiling.rows / ceiling.seconds, cpuSeconds: ceiling.cpuSeconds },
    targets,
    totalSeconds: 0,
    machine: { cpus: availableParallelism(), node: process.version },
  };
}

async function cleanUp(): Promise<void> {
  await sink?.stop().catch(() => undefined);
  await progress.close();
  const problems: string[] = [];
  for (const t of probed) {
    await dropDatabase(t.url, database).catch((e) => problems.push(`drop database on ${t.kind}: ${e.message}`));
  }
  const left = await cleanKafka({
    brokers: s.kafkaBrokers,
    registryUrl: s.registryUrl,
    prefix,
    groupPrefixes: [`${prefix}-`],
  }).catch((e) => [`kafka clean-up: ${e.message}`]);
  problems.push(...left);
  log(problems.length ? `clean-up incomplete: ${problems.join('; ')}` : 'cleaned up: databases, topic, subjects, groups');
}

await runBench({
  name: 'bench-sink',
  log,
  began,
  cleanUp,
  run: async () => {
    const result = await measure();
    result.totalSeconds = (performance.now() - began) / 1000;
    printResult(result);
    for (const t of result.targets) {
      if (t.status === 'measured' && !t.check?.equal) {
        console.error(`${t.target}: the sink's table and the plain table differ: ${JSON.stringify(t.check)}`);
        process.exitCode = 1;
      }
    }
    log(`written to ${writeResult(resultsDir, result)}`);
  },
});
