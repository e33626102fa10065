/** Latency figures from the per-row microsecond differences a target holds. Pure. */

export interface LatencySummary {
  rows: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** Rows per latency bucket, by the bucket's upper bound in ms ("> 5000" last). */
  histogram: { upToMs: number | null; rows: number }[];
}

const BOUNDS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p * sorted.length) / 100 - 1e-9) - 1));
  return sorted[i] as number;
}

export function summarise(latenciesMs: number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  const histogram = [...BOUNDS_MS, null].map((upToMs) => ({ upToMs, rows: 0 }));
  for (const v of values) {
    const i = BOUNDS_MS.findIndex((b) => v <= b);
    (histogram[i < 0 ? BOUNDS_MS.length : i] as { rows: number }).rows++;
  }
  return {
    rows: values.length,
    p50Ms: percentile(values, 50),
    p90Ms: percentile(values, 90),
    p99Ms: percentile(values, 99),
    p999Ms: percentile(values, 99.9),
    maxMs: values.length ? (values[values.length - 1] as number) : Number.NaN,
    histogram,
  };
}

/** The histogram as text lines: bucket, rows, share, a bar. */
export function histogramLines(s: LatencySummary): string[] {
  const widest = Math.max(1, ...s.histogram.map((h) => h.rows));
  let lower = 0;
  return s.histogram.map((h) => {
    const label = h.upToMs === null ? `> ${lower} ms` : `${lower}-${h.upToMs} ms`;
    if (h.upToMs !== null) lower = h.upToMs;
    const share = s.rows ? (100 * h.rows) / s.rows : 0;
    const bar = '#'.repeat(Math.round((40 * h.rows) / widest));
    return `  ${label.padEnd(14)} ${String(h.rows).padStart(8)}  ${share.toFixed(2).padStart(6)} %  ${bar}`;
  });
}

/** A Prometheus histogram as /metrics shows it: cumulative counts by upper bound, count and sum. */
export interface ScrapedHistogram {
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

/** The histogram `name` in a /metrics text (labels such as the default `service` allowed), or undefined. */
export function scrapeHistogram(text: string, name: string): ScrapedHistogram | undefined {
  const buckets: { le: number; count: number }[] = [];
  let count: number | undefined;
  let sum = 0;
  const line = new RegExp(`^${name}_(bucket|count|sum)(?:\\{([^}]*)\\})? (\\S+)$`);
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    const value = Number(m[3]);
    if (m[1] === 'count') count = value;
    else if (m[1] === 'sum') sum = value;
    else {
      const le = /(?:^|,)le="([^"]+)"/.exec(m[2] ?? '')?.[1];
      if (le !== undefined) buckets.push({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: value });
    }
  }
  return count === undefined ? undefined : { buckets, count, sum };
}

/** The smallest bucket bound at or under which a share p (0..1) of the observations fall. */
export function bucketQuantile(h: ScrapedHistogram, p: number): number {
  const want = p * h.count;
  for (const b of h.buckets) if (b.count >= want) return b.le;
  return Number.POSITIVE_INFINITY;
}
