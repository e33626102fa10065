/**
 * make bench-capture: how fast the capture turns a binlog backlog into committed Kafka records,
 * against how fast zongji alone decodes the same binlog (the issue's target: at least half).
 *
 *   1. write a backlog of BENCH_ROWS (default 1,000,000) inserts into a fresh iso_bench_* database
 *   2. raw: zongji alone decodes it (own process, median of BENCH_RAW_PASSES=3) -> rows/s, peak RSS
 *   3. pipeline: the real capture service streams it to Kafka -> rows/s, peak RSS
 *   4. producer ceiling: kafkajs alone writes the records the capture wrote, in the same kind of
 *      transactions (own process, records loaded first) -> rows/s: what no capture can beat
 *   5. print and write bench/results/capture-<timestamp>.json, then drop everything it created
 *
 * BENCH_CPU_PROF=1 runs the capture under --cpu-prof and prints where its CPU time went;
 * BENCH_ROWS, BENCH_BATCH, BENCH_RAW_PASSES and BENCH_CAPTURE_JSON change the run (see below).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { tableTopic } from '@sluice/core';
import { freePort } from '../../test/support/services.ts';
import { stack } from '../../test/support/stack.ts';
import { runBench } from '../common/bench-main.ts';
import { benchCaptureConfig } from '../common/capture-config.ts';
import { runJsonChild } from '../common/json-child.ts';
import { type Backlog, dropDatabase, writeBacklog } from './backlog.ts';
import { CaptureProcess } from './capture-process.ts';
import { CheckpointWatch } from './checkpoint-watch.ts';
import { cleanKafka } from './cleanup.ts';
import { summariseProfiles } from './cpu-profile.ts';
import { ProcSampler, procStats, waitIdle } from './proc.ts';
import type { CeilingJob, CeilingResult } from './producer-ceiling-child.ts';
import { rawDecode } from './raw-decode.ts';
import type { RawResult } from './raw-decode-child.ts';
import { type CaptureBenchResult, printResult, writeResult } from './report.ts';

const TARGET_RATIO = 0.5;
const root = new URL('../../', import.meta.url).pathname;
const resultsDir = join(root, 'bench/results');
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const batch = Number(process.env.BENCH_BATCH ?? 2_000);
const cpuProf = process.env.BENCH_CPU_PROF === '1';
const rawPasses = Math.max(1, Number(process.env.BENCH_RAW_PASSES ?? 3));
// Extra capture settings to compare, e.g. BENCH_CAPTURE_JSON='{"queueMaxBytes":8388608}'.
const captureOverrides = JSON.parse(process.env.BENCH_CAPTURE_JSON ?? '{}') as Record<string, unknown>;

const s = stack();
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase(); // 20250101t120000
const database = `iso_bench_${stamp}`; // iso_*: the stack's own capture excludes it
const prefix = `bench_${stamp}`;
const log = (msg: string) => console.log(`[bench-capture +${((performance.now() - began) / 1000).toFixed(1)}s] ${msg}`);
const began = performance.now();

let capture: CaptureProcess | undefined;
let watch: CheckpointWatch | undefined;

async function measure(): Promise<CaptureBenchResult> {
  log(`writing ${rows.toLocaleString('en-US')} rows into ${database} (${batch} rows per INSERT and transaction)`);
  const backlog = await writeBacklog({ url: s.sourceUrl, database, rows, batch });
  log(`backlog written in ${backlog.seconds.toFixed(1)} s: binlog ${backlog.start} .. ${backlog.end}`);
  await quietStack();

  // The raw pass is short (seconds), so other work on the machine moves it a lot: the median of a few.
  const raw = await rawMedian(backlog);
  log(`raw: ${rows} rows in ${raw.seconds.toFixed(1)} s (median of ${rawPasses})`);

  log('pipeline: capture service from the start position to committed Kafka records');
  const p = await runPipeline(backlog);
  log(`pipeline: committed in ${p.seconds.toFixed(1)} s (${p.startupSeconds.toFixed(1)} s start-up)`);

  log('producer ceiling: kafkajs alone writing the same records in the same kind of transactions');
  const job: CeilingJob = {
    brokers: s.kafkaBrokers,
    from: tableTopic(prefix, database, backlog.table),
    to: `${prefix}.ceiling`,
    rows,
  };
  const ceiling = await runJsonChild<CeilingResult>(
    new URL('./producer-ceiling-child.ts', import.meta.url).pathname,
    job,
    'producer ceiling',
  );

  const rawRate = rows / raw.seconds;
  const pipeRate = rows / p.seconds;
  const sameFile = backlog.start.file === backlog.end.file;
  return {
    timestamp: stamp,
    rows,
    binlog: {
      start: backlog.start.toString(),
      end: backlog.end.toString(),
      bytes: sameFile ? backlog.end.pos - backlog.start.pos : null,
    },
    backlogSeconds: backlog.seconds,
    raw: {
      seconds: raw.seconds,
      rowsPerSecond: rawRate,
      passSeconds: raw.passes,
      peakRssMb: raw.peakRssMb,
      cpuSeconds: raw.cpuSeconds,
    },
    pipeline: {
      seconds: p.seconds,
      rowsPerSecond: pipeRate,
      startupSeconds: p.startupSeconds,
      streamingRowsPerSecond: rows / (p.seconds - p.startupSeconds),
      peakRssMb: p.peakRssMb,
      cpuSeconds: p.cpuSeconds,
    },
    producerCeiling: {
      seconds: ceiling.seconds,
      rowsPerSecond: ceiling.rows / ceiling.seconds,
      transactions: ceiling.transactions,
      cpuSeconds: ceiling.cpuSeconds,
    },
    ratio: pipeRate / rawRate,
    target: TARGET_RATIO,
    targetMet: pipeRate / rawRate >= TARGET_RATIO,
    totalSeconds: 0,
    machine: { cpus: availableParallelism(), node: process.version },
  };
}

async function rawMedian(backlog: Backlog): Promise<RawResult & { passes: number[] }> {
  const passes: RawResult[] = [];
  for (let i = 0; i < rawPasses; i++) {
    log(`raw ${i + 1}/${rawPasses}: zongji alone decoding the backlog`);
    const r = await rawDecode({
      url: s.sourceUrl,
      serverId: 54800 + (process.pid % 100),
      database,
      table: backlog.table,
      start: backlog.start.toString(),
      end: backlog.end.toString(),
    });
    if (r.rows !== rows) throw new Error(`raw reader counted ${r.rows} rows, expected ${rows}`);
    passes.push(r);
  }
  const median = [...passes].sort((a, b) => a.seconds - b.seconds)[Math.floor(passes.length / 2)] as RawResult;
  return {
    ...median,
    peakRssMb: Math.max(...passes.map((p) => p.peakRssMb)),
    passes: passes.map((p) => p.seconds),
  };
}

async function runPipeline(backlog: Backlog) {
  const proc = new CaptureProcess(
    {
      ...benchCaptureConfig(s, { prefix, database, serverId: 54900 + (process.pid % 100) }),
      startFrom: { file: backlog.start.file, pos: backlog.start.pos },
      ...captureOverrides,
    },
    freePort(),
  );
  capture = proc;
  watch = new CheckpointWatch({ brokers: s.kafkaBrokers, registryUrl: s.registryUrl, prefix, captureId: prefix });
  const flags = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, `prof-${stamp}`)}`] : [];
  const t0 = performance.now();
  proc.spawn(flags);
  const sampler = new ProcSampler(proc.pid);
  await proc.waitReady();
  const ready = performance.now();
  // The checkpoint topic exists once the capture is ready; reading from its beginning misses nothing.
  const done = await watch.until(backlog.end, () => proc.running);
  const final = procStats(proc.pid) ?? sampler.stop();
  sampler.stop();
  await proc.stop();
  const end = await watch.endOffset(tableTopic(prefix, database, backlog.table));
  if (end < rows) throw new Error(`the table topic ends at offset ${end}, below the ${rows} rows: records are missing`);
  return {
    seconds: (done - t0) / 1000,
    startupSeconds: (ready - t0) / 1000,
    peakRssMb: final?.peakRssMb ?? 0,
    cpuSeconds: final?.cpuSeconds ?? 0,
  };
}

/**
 * The stack's capture decodes every row it reads, excluded databases included, so it is busy for
 * a while after the backlog is written; measuring before it is idle would measure the contention.
 */
async function quietStack(): Promise<void> {
  const pidFile = join(root, '.stack/capture/pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  log(`waiting for the stack's capture (pid ${pid}) to finish reading the backlog`);
  if (!(await waitIdle(pid))) log("the stack's capture is still busy: figures will include that contention");
}

async function cleanUp(): Promise<void> {
  await capture?.stop().catch(() => undefined);
  await watch?.close();
  const problems: string[] = [];
  await dropDatabase(s.sourceUrl, database).catch((e) => problems.push(`drop database: ${e.message}`));
  const left = await cleanKafka({
    brokers: s.kafkaBrokers,
    registryUrl: s.registryUrl,
    prefix,
    groupPrefixes: [`${prefix}.`, watch?.groupId ?? prefix],
  }).catch((e) => [`kafka clean-up: ${e.message}`]);
  problems.push(...left);
  log(problems.length ? `clean-up incomplete: ${problems.join('; ')}` : 'cleaned up: database, topics, subjects, groups');
}

await runBench({
  name: 'bench-capture',
  log,
  began,
  cleanUp,
  onFailure: () => {
    if (capture) console.error(`capture log (${capture.logFile}):\n${capture.tail()}`);
  },
  run: async () => {
    const result = await measure();
    result.totalSeconds = (performance.now() - began) / 1000; // clean-up (under a second) comes after
    if (cpuProf) summariseProfiles(join(resultsDir, `prof-${stamp}`));
    printResult(result);
    log(`written to ${writeResult(resultsDir, result)}`);
  },
});
