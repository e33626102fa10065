import { BinlogPosition, mappedTableTopic } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { caughtUp } from './sink-progress.ts';

const start = { position: new BinlogPosition('binlog.000003', 1000), gtid: '0-1-100' };
const row = (topic: string, sourcePosition: string | null, sourceTsMs: number | null = null, partition = 0) => ({
  topic,
  partition,
  sourcePosition,
  sourceTsMs,
});

describe('caughtUp', () => {
  const topics = [['p.db.a'], ['p.db.b']];
  it('needs every partition of every topic at or past the start', () => {
    expect(caughtUp([row('p.db.a', '0-1-100'), row('p.db.b', '0-1-120')], topics, start, 0, 'p._heartbeats')).toBe(true);
    expect(caughtUp([row('p.db.a', '0-1-99'), row('p.db.b', '0-1-120')], topics, start, 0, 'p._heartbeats')).toBe(false);
    expect(caughtUp([row('p.db.a', '0-1-100')], topics, start, 0, 'p._heartbeats')).toBe(false);
  });

  it('takes a heartbeat newer than the start as caught up', () => {
    expect(caughtUp([row('p._heartbeats', null, 5000)], topics, start, 4000, 'p._heartbeats')).toBe(true);
    expect(caughtUp([row('p._heartbeats', null, 3000)], topics, start, 4000, 'p._heartbeats')).toBe(false);
  });

  it('compares snapshot positions by file and offset', () => {
    expect(caughtUp([row('p.db.a', 'binlog.000003:1200'), row('p.db.b', 'binlog.000004:4')], topics, start, 0, 'x')).toBe(true);
    expect(caughtUp([row('p.db.a', 'binlog.000002:9999'), row('p.db.b', 'binlog.000004:4')], topics, start, 0, 'x')).toBe(false);
  });

  it("finds a table's checkpoints under whichever name its topic has", () => {
    const dotted = mappedTableTopic('p', 'db', 't.dot');
    const tables = [['p.db.a', mappedTableTopic('p', 'db', 'a')], [dotted]];
    expect(caughtUp([row('p.db.a', '0-1-100'), row(dotted, '0-1-100')], tables, start, 0, 'x')).toBe(true);
    expect(caughtUp([row('p.db.a', '0-1-100'), row('p.db.t.dot', '0-1-100')], tables, start, 0, 'x')).toBe(false);
  });
});
