/**
 * Issue 13's targets, read from the results the benches of one `make bench` wrote. Pure: the
 * results are passed in, whichever files they came from.
 */
import type { CaptureBenchResult } from '../capture/report.ts';
import type { SinkBenchResult } from '../sink/report.ts';
import { SINK_RATIO } from '../sink/target-ratio.ts';

/** What summary needs of an e2e result (bench/e2e/run.ts writes it). */
export interface E2eResult {
  statements: number;
  seconds: number;
  capturePeakRssMb: number | null;
  lag: { atSeconds: number; behind: Record<string, number> }[];
  targets: { target: string; latency: { p99Ms: number }; catchUpSeconds: number; sinkPeakRssMb: number | null }[];
}

export interface TargetRow {
  what: string;
  measured: string;
  target: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
}

export const MEMORY_MB = 256;

const n = (x: number, digits: number) => x.toFixed(digits);

/**
 * The newest result file of a bench written since `sinceMs`: `<kind>-<timestamp>.json` exactly,
 * so that capture's is not the TiDB capture's `capture-tidb-<timestamp>.json` (another shape).
 */
export function newestResult(kind: string, files: { name: string; atMs: number }[], sinceMs: number): string | undefined {
  const own = new RegExp(`^${kind}-\\d{8}t\\d{6}\\.json$`);
  return files.filter((f) => own.test(f.name) && f.atMs >= sinceMs).sort((a, b) => b.atMs - a.atMs)[0]?.name;
}

function missing(what: string, target: string): TargetRow {
  return { what, measured: 'not measured', target, met: undefined };
}

/**
 * A lag that grows: even the least rows behind in the last third of the load's samples exceed the
 * most of its first third by more than a second of the load's rate (a pipeline slower than the
 * source falls behind in every late sample; a target that stalls for a moment at the end, as TiDB
 * does under this load, only in some).
 */
export function lagGrows(e: E2eResult, target: string): boolean {
  const samples = e.lag.map((s) => s.behind[target]).filter((b): b is number => typeof b === 'number');
  if (samples.length < 3) return false;
  const third = Math.ceil(samples.length / 3);
  const early = Math.max(...samples.slice(0, third));
  const late = Math.min(...samples.slice(-third));
  return late - early > e.statements / e.seconds;
}

export function targetRows(r: { capture?: CaptureBenchResult; sink?: SinkBenchResult; e2e?: E2eResult }): TargetRow[] {
  const rows: TargetRow[] = [];
  const c = r.capture;
  if (c) {
    rows.push({
      what: 'capture / raw binlog decode',
      measured: n(c.ratio, 3),
      target: `>= ${c.target}`,
      met: c.ratio >= c.target,
    });
    rows.push({
      what: `capture RSS, ${c.rows.toLocaleString('en-US')}-row backlog`,
      measured: `${Math.round(c.pipeline.peakRssMb)} MB`,
      target: `<= ${MEMORY_MB} MB`,
      met: c.pipeline.peakRssMb <= MEMORY_MB,
    });
  } else {
    rows.push(missing('capture / raw binlog decode', '>= 0.5'));
  }
  for (const kind of ['mariadb', 'tidb']) {
    const t = r.sink?.targets.find((x) => x.target === kind);
    const want = SINK_RATIO[kind as keyof typeof SINK_RATIO];
    if (!t || t.ratio === undefined || !t.sink) {
      rows.push({ ...missing(`sink ${kind} / plain upsert`, `>= ${want}`), measured: t ? `${t.status}` : 'not measured' });
      continue;
    }
    rows.push({ what: `sink ${kind} / plain upsert`, measured: n(t.ratio, 3), target: `>= ${want}`, met: t.ratio >= want });
    rows.push({
      what: `sink ${kind} RSS, ${t.rows.toLocaleString('en-US')}-record backlog`,
      measured: `${Math.round(t.sink.peakRssMb)} MB`,
      target: `<= ${MEMORY_MB} MB`,
      met: t.sink.peakRssMb <= MEMORY_MB,
    });
  }
  const e = r.e2e;
  if (e) {
    for (const t of e.targets) {
      rows.push({
        what: `end to end ${t.target} p99`,
        measured: `${n(t.latency.p99Ms, 0)} ms`,
        target: '<= 500 ms',
        met: t.latency.p99Ms <= 500,
      });
      const grows = lagGrows(e, t.target);
      rows.push({
        what: `end to end ${t.target} lag`,
        measured: `${grows ? 'grows' : 'steady'}; equal ${n(t.catchUpSeconds, 1)} s after the load`,
        target: 'no growing lag',
        met: !grows,
      });
    }
  } else {
    rows.push(missing('end to end p99', '<= 500 ms'));
  }
  return rows;
}

export function formatRows(rows: TargetRow[]): string[] {
  const cells = rows.map((r) => [r.what, r.measured, r.target, r.met === undefined ? '-' : r.met ? 'met' : 'NOT met']);
  const header = ['', 'measured', 'target', ''];
  const w = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(w[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)];
}
