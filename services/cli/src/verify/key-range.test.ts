import { describe, expect, it } from 'vitest';
import { describeRange, rangeCondition, rangesFromBoundaries, WHOLE_TABLE } from './key-range.ts';

describe('key ranges', () => {
  it('covers the whole table with 1=1', () => {
    expect(rangeCondition(['id'], WHOLE_TABLE)).toEqual({ sql: '1=1', params: [] });
  });

  it('bounds a single-column key: after < key <= upTo', () => {
    expect(rangeCondition(['id'], { after: [10], upTo: [20] })).toEqual({ sql: '`id` > ? AND `id` <= ?', params: [10, 20] });
  });

  it('writes composite keys out so every server uses the index', () => {
    const c = rangeCondition(['a', 'b'], { after: [1, 'x'], upTo: null });
    expect(c.sql).toBe('((`a` > ?) OR (`a` = ? AND `b` > ?))');
    expect(c.params).toEqual([1, 1, 'x']);
    const u = rangeCondition(['a', 'b', 'c'], { after: null, upTo: [1, 2, 3] });
    expect(u.sql).toBe('((`a` < ?) OR (`a` = ? AND `b` < ?) OR (`a` = ? AND `b` = ? AND `c` <= ?))');
    expect(u.params).toEqual([1, 1, 2, 1, 2, 3]);
  });

  it('turns boundaries into consecutive ranges with open ends', () => {
    expect(rangesFromBoundaries([[5], [9]])).toEqual([
      { after: null, upTo: [5] },
      { after: [5], upTo: [9] },
      { after: [9], upTo: null },
    ]);
    expect(rangesFromBoundaries([])).toEqual([WHOLE_TABLE]);
  });

  it('describes ranges for people', () => {
    expect(describeRange({ after: [5], upTo: [9] })).toBe('5 < key <= 9');
    expect(describeRange({ after: null, upTo: ['a', Buffer.from([1])] })).toBe('key <= ("a", 0x01)');
  });
});
