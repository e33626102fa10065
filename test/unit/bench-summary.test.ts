import { describe, expect, it } from 'vitest';
import type { CaptureBenchResult } from '../../bench/capture/report.ts';
import type { SinkBenchResult } from '../../bench/sink/report.ts';
import { type E2eResult, formatRows, lagGrows, newestResult, targetRows } from '../../bench/summary/targets.ts';

const capture = { rows: 1_000_000, ratio: 0.125, target: 0.5, pipeline: { peakRssMb: 262.4 } } as CaptureBenchResult;
const sink = {
  targets: [
    { target: 'mariadb', status: 'measured', rows: 1_000_000, ratio: 0.71, sink: { peakRssMb: 190 } },
    { target: 'tidb', status: 'failed', reason: 'tidb down', rows: 0 },
  ],
} as SinkBenchResult;
const e2e = (behind: number[]): E2eResult => ({
  statements: 60_000,
  seconds: 60,
  capturePeakRssMb: 200,
  lag: behind.map((b, i) => ({ atSeconds: 5 * (i + 1), behind: { mariadb: b } })),
  targets: [{ target: 'mariadb', latency: { p99Ms: 480 }, catchUpSeconds: 0.3, sinkPeakRssMb: 150 }],
});

describe('make bench targets', () => {
  it('compares each figure of the run with its target', () => {
    const rows = targetRows({ capture, sink, e2e: e2e([10, 50, 20, 30]) });
    const byWhat = Object.fromEntries(rows.map((r) => [r.what, [r.measured, r.met]]));
    expect(byWhat['capture / raw binlog decode']).toEqual(['0.125', false]);
    expect(byWhat['capture RSS, 1,000,000-row backlog']).toEqual(['262 MB', false]);
    expect(byWhat['sink mariadb / plain upsert']).toEqual(['0.710', true]);
    expect(byWhat['sink mariadb RSS, 1,000,000-record backlog']).toEqual(['190 MB', true]);
    expect(byWhat['sink tidb / plain upsert']).toEqual(['failed', undefined]);
    expect(byWhat['end to end mariadb p99']).toEqual(['480 ms', true]);
    expect(byWhat['end to end mariadb lag']?.[1]).toBe(true);
  });

  it('says what a run did not measure', () => {
    const rows = targetRows({});
    expect(rows.map((r) => r.measured)).toEqual(['not measured', 'not measured', 'not measured', 'not measured']);
    expect(formatRows(rows)[1]).toMatch(/^capture \/ raw binlog decode +not measured +>= 0.5 +-$/);
  });

  it('calls a lag growing when every late sample is more than a second of load past the early ones', () => {
    expect(lagGrows(e2e([100, 200, 300, 900, 1400, 1500]), 'mariadb')).toBe(true); // 1,400 - 200 > 1,000/s
    expect(lagGrows(e2e([100, 900, 300, 400, 1000, 800]), 'mariadb')).toBe(false);
    // A stall at the last sample only (TiDB under the load), caught up before it: not growing.
    expect(lagGrows(e2e([100, 200, 150, 300, 120, 4_376]), 'mariadb')).toBe(false);
    expect(lagGrows(e2e([100, 5000]), 'mariadb')).toBe(false); // too few samples to tell
  });

  it("reads each bench's own newest result of the run: capture's, not the TiDB capture's of another shape", () => {
    const files = [
      { name: 'capture-20261202t184929.json', atMs: 2_000 },
      { name: 'capture-tidb-20261202t185041.json', atMs: 3_000 },
      { name: 'capture-20261201t101010.json', atMs: 500 },
      { name: 'README.md', atMs: 4_000 },
    ];
    expect(newestResult('capture', files, 1_000)).toBe('capture-20261202t184929.json');
    expect(newestResult('capture-tidb', files, 1_000)).toBe('capture-tidb-20261202t185041.json');
    expect(newestResult('capture', files, 2_500)).toBeUndefined();
  });
});
