import { describe, expect, it } from 'vitest';
import { captureVerdict, sinkVerdict } from './health.ts';
import type { SinkGroup } from './sink-status.ts';

const group = (members: number, lags: number[]): SinkGroup => ({
  name: 'tidb',
  exists: true,
  state: members ? 'Stable' : 'Empty',
  members: Array.from({ length: members }, () => ({ clientId: 'c', host: 'h' })),
  partitions: lags.map((lag, i) => ({ topic: 't', partition: i, committed: 10, low: 0, high: 10 + lag, lag, heartbeat: false })),
});

describe('sink verdict', () => {
  it('calls a group with no members and records left stopped, an error', () => {
    expect(sinkVerdict(group(0, [1, 5]), null, 60)).toEqual({
      state: 'stopped',
      error: true,
      reason: 'no members and 4 offsets to apply on 1 partitions: the sink is not running',
    });
  });

  it('says a group Kafka does not know is no such sink, not a stopped one', () => {
    const nope: SinkGroup = { ...group(0, [5, 5]), name: 'nope', exists: false, state: 'Dead' };
    expect(sinkVerdict(nope, null, 60)).toMatchObject({
      state: 'unknown',
      error: true,
      reason: expect.stringMatching(/^no such sink/),
    });
  });

  it('does not count heartbeats as records to apply', () => {
    const g = group(0, [1]);
    g.partitions.push({ topic: 'p._heartbeats', partition: 0, committed: -1, low: 0, high: 30, lag: 30, heartbeat: true });
    expect(sinkVerdict(g, null, 60)).toMatchObject({ state: 'stopped', error: false });
  });

  it('takes the closing transaction marker for caught up', () => {
    expect(sinkVerdict(group(0, [1, 0]), null, 60)).toMatchObject({ state: 'stopped', error: false });
    expect(sinkVerdict(group(1, [1, 1]), 0.5, 60)).toEqual({ state: 'running', error: false, reason: '' });
  });

  it('calls a running group with records left and a stale target behind', () => {
    expect(sinkVerdict(group(1, [100]), 120, 60)).toMatchObject({ state: 'behind', error: true });
    expect(sinkVerdict(group(1, [100]), 5, 60)).toMatchObject({ state: 'running', error: false, reason: '99 offsets to apply' });
  });
});

describe('capture verdict', () => {
  const c = { captureId: 'local', file: 'binlog.000001', pos: 4, gtidSet: null, sourceTsMs: 0, tsMs: 0, snapshot: null };
  it('wants a checkpoint', () => {
    expect(captureVerdict(undefined, undefined, 60)).toMatchObject({ state: 'unknown', error: true });
  });
  it('is behind when the checkpoint covers the source too long ago', () => {
    expect(captureVerdict(c, { bytes: 0, seconds: 61 }, 60)).toMatchObject({ state: 'behind', error: true });
    expect(captureVerdict(c, { bytes: 10, seconds: 2 }, 60)).toEqual({ state: 'streaming', error: false, reason: '' });
  });
  it('is fine while snapshotting', () => {
    const snap = { ...c, snapshot: { table: 'shop.items', rows: 5000, tablesDone: 2 } };
    expect(captureVerdict(snap, { bytes: null, seconds: 600 }, 60)).toMatchObject({ state: 'snapshotting', error: false });
  });
});

describe('capture verdict from its metrics', () => {
  it('reports a failing capture with its error code and fix', () => {
    const v = captureVerdict(undefined, undefined, 60, {
      state: 'failed',
      eventsPerSecond: 0,
      lastErrorCode: 'KAFKA_UNAVAILABLE',
    });
    expect(v.error).toBe(true);
    expect(v.reason).toMatch(/^KAFKA_UNAVAILABLE: Check kafka.brokers/);
  });
});
