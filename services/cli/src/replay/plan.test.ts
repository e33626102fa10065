import { describe, expect, it } from 'vitest';
import { parseOffsetSpec, planReplay } from './plan.ts';

const p = (partition: number, committed: number, low: number, high: number, atTime?: number) => ({
  topic: 'sluice.shop.items',
  partition,
  committed,
  low,
  high,
  atTime,
});

describe('planReplay', () => {
  const states = [p(0, 80, 0, 100, 40), p(1, -1, 0, 50, 50)];

  it('moves to the earliest offsets and counts what is applied again', () => {
    expect(planReplay(states, { kind: 'earliest' }, 0).rows).toEqual([
      { topic: 'sluice.shop.items', partition: 0, from: 80, to: 0, reapply: 80, skip: 0 },
      { topic: 'sluice.shop.items', partition: 1, from: 0, to: 0, reapply: 0, skip: 0 },
    ]);
  });

  it('moves to the first offset at a time, or the end when nothing is that new', () => {
    const { rows, refusals } = planReplay(states, { kind: 'time', ms: 1000 }, 2000);
    expect(rows.map((r) => [r.to, r.reapply])).toEqual([
      [40, 40],
      [50, 0],
    ]);
    expect(refusals).toEqual([]);
  });

  it('refuses a time older than the topic keeps', () => {
    const trimmed = [p(0, 80, 30, 100, 30)];
    expect(planReplay(trimmed, { kind: 'time', ms: 1000 }, 2000).refusals).toEqual([
      'sluice.shop.items:0 no longer holds records from that time (its oldest kept offset is 30)',
    ]);
    const retained = [{ ...p(0, 80, 0, 100, 10), retentionMs: 3_600_000 }];
    expect(planReplay(retained, { kind: 'time', ms: 0 }, 7_200_000).refusals[0]).toMatch(/keeps records for 1 h only/);
  });

  it('shifts within what the topic holds, and tells skipped records apart', () => {
    expect(planReplay(states, { kind: 'shift', by: -100 }, 0).rows.map((r) => r.to)).toEqual([0, 0]);
    const fwd = planReplay(states, { kind: 'shift', by: 10 }, 0).rows[0];
    expect(fwd).toMatchObject({ from: 80, to: 90, reapply: 0, skip: 10 });
    expect(planReplay(states, { kind: 'latest' }, 0).rows.map((r) => r.skip)).toEqual([20, 50]);
  });

  it('moves one partition to an offset and refuses offsets it does not hold', () => {
    const one = planReplay(states, { kind: 'offset', topic: 'sluice.shop.items', partition: 1, offset: 7 }, 0);
    expect(one.rows).toEqual([{ topic: 'sluice.shop.items', partition: 1, from: 0, to: 7, reapply: 0, skip: 7 }]);
    expect(
      planReplay(states, { kind: 'offset', topic: 'sluice.shop.items', partition: 0, offset: 101 }, 0).refusals,
    ).toHaveLength(1);
    expect(planReplay(states, { kind: 'offset', topic: 'other', partition: 0, offset: 1 }, 0).refusals).toEqual([
      'the group does not read other:0',
    ]);
  });
});

describe('parseOffsetSpec', () => {
  it('splits topic:partition:offset', () => {
    expect(parseOffsetSpec('sluice.shop.items:2:1500')).toEqual({ topic: 'sluice.shop.items', partition: 2, offset: 1500 });
    expect(parseOffsetSpec('sluice.shop.items:x:1')).toBeUndefined();
  });
});
