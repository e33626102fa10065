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

  it('takes a partition read to its end as through once the capture has passed the start', () => {
    const at = (topic: string, partition: number, position: string, nextOffset: string) => ({
      ...row(topic, position, null, partition),
      nextOffset,
    });
    const ends = [
      { topic: 'p.db.a', partition: 0, high: '51' },
      { topic: 'p.db.a', partition: 1, high: '8' },
      { topic: 'p.db.b', partition: 0, high: '900' },
    ];
    // db.a saw no change since 0-1-40; db.b (under load) is past the start: the capture passed it.
    const rows = [at('p.db.a', 0, '0-1-40', '50'), at('p.db.a', 1, '0-1-30', '7'), at('p.db.b', 0, '0-1-130', '700')];
    expect(caughtUp(rows, [['p.db.a']], start, 0, 'x', ends)).toBe(true);
    // One record still unread in partition 1 (the marker after it is at 7).
    const behind = [at('p.db.a', 0, '0-1-40', '50'), at('p.db.a', 1, '0-1-30', '6'), at('p.db.b', 0, '0-1-130', '700')];
    expect(caughtUp(behind, [['p.db.a']], start, 0, 'x', ends)).toBe(false);
    // Nothing at or past the start yet: the capture may still be about to publish to db.a.
    const early = [at('p.db.a', 0, '0-1-40', '50'), at('p.db.a', 1, '0-1-30', '7'), at('p.db.b', 0, '0-1-99', '700')];
    expect(caughtUp(early, [['p.db.a']], start, 0, 'x', ends)).toBe(false);
    // A partition the sink never wrote a checkpoint for is through only when Kafka shows it empty.
    const unread = [...ends, { topic: 'p.db.a', partition: 2, high: '3' }];
    expect(caughtUp(rows, [['p.db.a']], start, 0, 'x', unread)).toBe(false);
    expect(caughtUp(rows, [['p.db.a']], start, 0, 'x', [...ends, { topic: 'p.db.a', partition: 2, high: '0' }])).toBe(true);
  });
});
