import { ERROR_CODES } from '@sluice/core';
import type { CaptureProcessMetrics } from './capture-metrics.ts';
import type { CaptureCheckpoint, CaptureLag } from './capture-status.ts';
import { behind, toApply } from './offsets.ts';
import type { SinkGroup } from './sink-status.ts';

export interface Verdict {
  state: string;
  error: boolean;
  reason: string;
}

export { behind, toApply } from './offsets.ts';

/**
 * Capture rules: no checkpoint is an error; a snapshot in progress is fine; otherwise the source
 * time its last checkpoint covers must be within `maxLagSeconds` (heartbeats keep it current while
 * the source is idle, so a stopped or stuck capture shows as behind).
 */
export function captureVerdict(
  c: CaptureCheckpoint | undefined,
  lag: CaptureLag | undefined,
  maxLagSeconds: number,
  process?: CaptureProcessMetrics,
): Verdict {
  // A failing process says why, whatever its last checkpoint looks like.
  if (process?.state === 'failed') {
    const code = process.lastErrorCode;
    const fix = code && code in ERROR_CODES ? ERROR_CODES[code as keyof typeof ERROR_CODES].fix : '';
    return { state: 'error', error: true, reason: `${code ?? 'unknown error'}${fix ? `: ${fix}` : ''} (capture retries)` };
  }
  if (!c || !lag) return { state: 'unknown', error: true, reason: 'no checkpoint: capture has not committed anything yet' };
  if (c.snapshot) {
    return {
      state: 'snapshotting',
      error: false,
      reason: `table ${c.snapshot.table ?? '-'}, ${c.snapshot.rows} rows, ${c.snapshot.tablesDone} tables done`,
    };
  }
  if (lag.seconds > maxLagSeconds) {
    return {
      state: 'behind',
      error: true,
      reason: `covers the source only up to ${Math.round(lag.seconds)} s ago (more than ${maxLagSeconds} s): capture is stopped, stuck or far behind`,
    };
  }
  return { state: 'streaming', error: false, reason: '' };
}

/**
 * Sink rules: a group with no members is stopped; that is an error only while it has records to
 * apply. A running group is behind (an error) when it has records to apply and the target's
 * freshness is older than `maxLagSeconds`.
 */
export function sinkVerdict(g: SinkGroup, freshnessSeconds: number | null, maxLagSeconds: number): Verdict {
  if (!g.exists) {
    return {
      state: 'unknown',
      error: true,
      reason:
        'no such sink: no consumer group of this name has members or committed offsets on these topics (check the name and --topic-prefix)',
    };
  }
  const todo = behind(g);
  const lag = toApply(g);
  if (!g.members.length) {
    return todo.length
      ? {
          state: 'stopped',
          error: true,
          reason: `no members and ${lag} offsets to apply on ${todo.length} partitions: the sink is not running`,
        }
      : { state: 'stopped', error: false, reason: 'no members; nothing left to apply' };
  }
  if (todo.length && freshnessSeconds !== null && freshnessSeconds > maxLagSeconds) {
    return {
      state: 'behind',
      error: true,
      reason: `${lag} offsets to apply and the target is ${Math.round(freshnessSeconds)} s old`,
    };
  }
  return { state: 'running', error: false, reason: todo.length ? `${lag} offsets to apply` : '' };
}
