import { describe, expect, it } from 'vitest';
import { histogramLines, summarise } from '../../bench/e2e/latency.ts';

describe('summarise', () => {
  it('gives nearest-rank percentiles and counts each row in one bucket', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000 ms
    const s = summarise(values);
    expect([s.p50Ms, s.p90Ms, s.p99Ms, s.p999Ms, s.maxMs]).toEqual([500, 900, 990, 999, 1000]);
    expect(s.histogram.reduce((n, h) => n + h.rows, 0)).toBe(1000);
    expect(s.histogram.find((h) => h.upToMs === 10)?.rows).toBe(10);
    expect(s.histogram.find((h) => h.upToMs === 500)?.rows).toBe(250);
    expect(s.histogram.at(-1)?.rows).toBe(0);
  });

  it('puts what exceeds the last bound in the open bucket', () => {
    const s = summarise([7000, 3, 6000]);
    expect(s.histogram.at(-1)?.rows).toBe(2);
    expect(histogramLines(s).at(-1)).toMatch(/^ {2}> 5000 ms\s+2\s+66\.67 %/);
  });
});
