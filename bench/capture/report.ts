import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One bench-capture run: what the issue asks to compare, plus what helps explain it. */
export interface CaptureBenchResult {
  timestamp: string;
  rows: number;
  binlog: { start: string; end: string; bytes: number | null };
  backlogSeconds: number;
  /** The median pass (seconds of every pass in passSeconds); peak RSS is the largest of them. */
  raw: { seconds: number; rowsPerSecond: number; passSeconds: number[]; peakRssMb: number; cpuSeconds: number };
  pipeline: {
    /** From spawning the capture process to the checkpoint at the end position being read. */
    seconds: number;
    rowsPerSecond: number;
    /** Spawn to /readyz: process start, Kafka and registry connections, checkpoint read. */
    startupSeconds: number;
    /** Ready to done: the streaming rate without start-up. */
    streamingRowsPerSecond: number;
    peakRssMb: number;
    cpuSeconds: number;
  };
  /** kafkajs alone producing the pipeline's records in transactions: the most any capture could do. */
  producerCeiling: { seconds: number; rowsPerSecond: number; transactions: number; cpuSeconds: number };
  ratio: number;
  target: number;
  targetMet: boolean;
  /** The whole run up to the figures: backlog, raw passes, pipeline (clean-up comes after). */
  totalSeconds: number;
  machine: { cpus: number; node: string };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function printResult(r: CaptureBenchResult): void {
  const lines: [string, string][] = [
    ['rows', fmt(r.rows)],
    [
      'raw zongji rows/s',
      `${fmt(r.raw.rowsPerSecond)}  (median ${fmt(r.raw.seconds, 2)} s of ${r.raw.passSeconds.map((x) => fmt(x, 2)).join(' / ')}; peak RSS ${fmt(r.raw.peakRssMb)} MB)`,
    ],
    ['pipeline rows/s', `${fmt(r.pipeline.rowsPerSecond)}  (${fmt(r.pipeline.seconds, 1)} s from spawn)`],
    ['  streaming rows/s', `${fmt(r.pipeline.streamingRowsPerSecond)}  (after ${fmt(r.pipeline.startupSeconds, 1)} s start-up)`],
    ['ratio pipeline/raw', `${fmt(r.ratio, 3)}  (target >= ${r.target}: ${r.targetMet ? 'met' : 'NOT met'})`],
    [
      'kafkajs alone rows/s',
      `${fmt(r.producerCeiling.rowsPerSecond)}  (same records, ${fmt(r.producerCeiling.transactions)} transactions, ${fmt(r.producerCeiling.cpuSeconds, 1)} CPU s; ${fmt(r.producerCeiling.rowsPerSecond / r.raw.rowsPerSecond, 3)} of raw)`,
    ],
    ['capture peak RSS MB', fmt(r.pipeline.peakRssMb)],
    ['CPU s raw / capture', `${fmt(r.raw.cpuSeconds, 1)} / ${fmt(r.pipeline.cpuSeconds, 1)}`],
  ];
  const w = Math.max(...lines.map(([k]) => k.length));
  console.log(`\nbench-capture ${r.timestamp}`);
  for (const [k, v] of lines) console.log(`  ${k.padEnd(w)}  ${v}`);
}

export function writeResult(dir: string, r: CaptureBenchResult): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `capture-${r.timestamp}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
