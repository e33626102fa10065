import { describe, expect, it } from 'vitest';
import { bucketQuantile, histogramLines, scrapeHistogram, summarise } from '../../bench/e2e/latency.ts';

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

describe('scrapeHistogram', () => {
  const text = [
    '# HELP x_seconds time',
    '# TYPE x_seconds histogram',
    'x_seconds_bucket{le="0.01"} 2',
    'x_seconds_bucket{le="0.1"} 9',
    'x_seconds_bucket{le="1"} 10',
    'x_seconds_bucket{le="+Inf"} 10',
    'x_seconds_sum 1.5',
    'x_seconds_count 10',
    'y_seconds_count 3',
  ].join('\n');

  it('reads the buckets, count and sum of one histogram', () => {
    const h = scrapeHistogram(text, 'x_seconds');
    expect(h).toEqual({
      buckets: [
        { le: 0.01, count: 2 },
        { le: 0.1, count: 9 },
        { le: 1, count: 10 },
        { le: Number.POSITIVE_INFINITY, count: 10 },
      ],
      count: 10,
      sum: 1.5,
    });
    expect(scrapeHistogram(text, 'z_seconds')).toBeUndefined();
  });

  it('reads the lines prom-client writes with default labels (le first or not)', () => {
    const labelled = [
      'x_seconds_bucket{le="0.1",service="capture"} 4',
      'x_seconds_bucket{service="capture",le="+Inf"} 5',
      'x_seconds_sum{service="capture"} 0.25',
      'x_seconds_count{service="capture"} 5',
      'x_seconds_total_count{service="capture"} 99',
    ].join('\n');
    expect(scrapeHistogram(labelled, 'x_seconds')).toEqual({
      buckets: [
        { le: 0.1, count: 4 },
        { le: Number.POSITIVE_INFINITY, count: 5 },
      ],
      count: 5,
      sum: 0.25,
    });
  });

  it('gives the bucket bound a quantile falls under', () => {
    const h = scrapeHistogram(text, 'x_seconds');
    if (!h) throw new Error('no histogram');
    expect([bucketQuantile(h, 0.2), bucketQuantile(h, 0.5), bucketQuantile(h, 0.9), bucketQuantile(h, 0.99)]).toEqual([
      0.01, 0.1, 0.1, 1,
    ]);
  });
});
