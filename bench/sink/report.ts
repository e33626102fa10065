import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlainProtocol } from './plain.ts';
import type { TableAggregate } from './target.ts';

/** One target's part of a bench-sink run. */
export interface TargetResult {
  target: 'mariadb' | 'tidb';
  status: 'measured' | 'skipped' | 'failed';
  /** Why it was skipped or what failed. */
  reason?: string;
  version?: string;
  rows: number;
  sink?: {
    /** From spawning the sink process to its committed offsets reaching the end of the topic. */
    seconds: number;
    rowsPerSecond: number;
    /** Spawn to /readyz: process start, Kafka, registry (the first fetch comes after). */
    startupSeconds: number;
    /** Ready to done: the applying rate without start-up. */
    streamingRowsPerSecond: number;
    peakRssMb: number;
    cpuSeconds: number;
    /** CPU seconds of the target server over the same span (when the stack runs it). */
    serverCpuSeconds: number | null;
  };
  plain?: {
    seconds: number;
    rowsPerSecond: number;
    batch: number;
    statements: number;
    protocol: PlainProtocol;
    serverCpuSeconds: number | null;
  };
  /** sink rows/s over plain rows/s. */
  ratio?: number;
  targetRatio?: number;
  targetMet?: boolean;
  /** Aggregates over every column of the sink's table and the plain table: must be equal. */
  check?: { sink: TableAggregate; plain: TableAggregate; equal: boolean };
  /** 1-minute load average before each phase: other work on the machine moves the figures. */
  loadAvg?: { sink: number; plain: number };
  seconds?: number;
}

export interface SinkBenchResult {
  timestamp: string;
  rows: number;
  topic: { name: string; partitions: number; bytes: number; produceSeconds: number; recordsPerSecond: number };
  /** kafkajs alone reading the backlog as the sink does (no decoding, no target): what no sink can beat. */
  consumerCeiling: { seconds: number; rowsPerSecond: number; cpuSeconds: number };
  targets: TargetResult[];
  /** The whole run up to the figures: producing the topic and every target (clean-up comes after). */
  totalSeconds: number;
  machine: { cpus: number; node: string };
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(header: string[], rows: string[][]): string[] {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i] ?? 0) : c.padStart(w[i] ?? 0))).join('  ');
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)];
}

export function printResult(r: SinkBenchResult): void {
  console.log(
    `\nbench-sink ${r.timestamp}: ${fmt(r.rows)} change records on ${r.topic.name} (${r.topic.partitions} partition${r.topic.partitions === 1 ? '' : 's'})`,
  );
  console.log(
    `  topic produced in ${fmt(r.topic.produceSeconds, 1)} s (${fmt(r.topic.recordsPerSecond)} records/s, ${fmt(r.topic.bytes / 2 ** 20, 1)} MiB)`,
  );
  console.log(
    `  kafkajs alone reads it at ${fmt(r.consumerCeiling.rowsPerSecond)} records/s (${fmt(r.consumerCeiling.cpuSeconds, 1)} CPU s; no decoding, no target)\n`,
  );
  for (const t of r.targets) {
    if (t.status !== 'measured' || !t.sink || !t.plain) {
      console.log(`  ${t.target}: ${t.status}${t.reason ? ` (${t.reason})` : ''}\n`);
      continue;
    }
    console.log(`  ${t.target} (${t.version})`);
    const lines = table(
      ['rows', 'sink rows/s', 'plain rows/s', 'ratio', 'peak RSS MB'],
      [[fmt(t.rows), fmt(t.sink.rowsPerSecond), fmt(t.plain.rowsPerSecond), fmt(t.ratio, 3), fmt(t.sink.peakRssMb)]],
    );
    for (const l of lines) console.log(`    ${l}`);
    const server = (s: number | null) => (s === null ? '' : `, target server ${fmt(s, 1)} CPU s`);
    console.log(`    target ratio >= ${t.targetRatio}: ${t.targetMet ? 'met' : 'NOT met'}`);
    console.log(
      `    sink:  ${fmt(t.sink.seconds, 1)} s from spawn (${fmt(t.sink.startupSeconds, 1)} s start-up; ${fmt(t.sink.streamingRowsPerSecond)} rows/s after ready), sink ${fmt(t.sink.cpuSeconds, 1)} CPU s${server(t.sink.serverCpuSeconds)}`,
    );
    console.log(
      `    plain: ${fmt(t.plain.seconds, 1)} s, ${fmt(t.plain.statements)} statements of ${fmt(t.plain.batch)} rows (${t.plain.protocol} protocol)${server(t.plain.serverCpuSeconds)}`,
    );
    console.log(
      `    rows check (count and sums over every column, sink table = plain table): ${t.check?.equal ? 'ok' : 'MISMATCH'}`,
    );
    console.log(`    load average before sink / plain: ${fmt(t.loadAvg?.sink, 2)} / ${fmt(t.loadAvg?.plain, 2)}\n`);
  }
}

export function writeResult(dir: string, r: SinkBenchResult): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `sink-${r.timestamp}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
