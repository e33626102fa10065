/** What capture's /metrics says about the running process: throughput, state, last error. */
export interface CaptureProcessMetrics {
  eventsPerSecond: number;
  state: 'starting' | 'snapshotting' | 'streaming' | 'stopped' | 'failed' | 'unknown';
  lastErrorCode: string | null;
}

const STATES = ['starting', 'snapshotting', 'streaming', 'stopped', 'failed'] as const;

/** Sums the samples of one metric in Prometheus text format (all label sets). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

/** The code label of the most recent last-error sample, if any. */
export function lastErrorCode(text: string): string | null {
  const m = /^sluice_capture_last_error_timestamp_seconds\{[^}]*code="([^"]+)"[^}]*\} /m.exec(text);
  return m ? (m[1] as string) : null;
}

/** Two scrapes `intervalMs` apart give events per second; the second gives state and error. */
export async function readCaptureMetrics(url: string, intervalMs = 1_000): Promise<CaptureProcessMetrics> {
  const scrape = async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return res.text();
  };
  const first = await scrape();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, intervalMs));
  const second = await scrape();
  const rows = (t: string) => metricSum(t, 'sluice_capture_rows_total') + metricSum(t, 'sluice_capture_snapshot_rows_total');
  const state = STATES[metricSum(second, 'sluice_capture_state')] ?? 'unknown';
  return {
    eventsPerSecond: Math.max(0, rows(second) - rows(first)) / ((Date.now() - t0) / 1000),
    state,
    lastErrorCode: state === 'failed' ? lastErrorCode(second) : null,
  };
}
