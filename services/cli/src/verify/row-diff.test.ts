import { describe, expect, it } from 'vitest';
import { changedColumns, diffRows, mergeRangeDiffs } from './row-diff.ts';

const row = (k: number, hash: string) => ({ keyText: String(k), key: [k], hash });

describe('row diff', () => {
  it('finds rows missing in the target, extra in it, and changed', () => {
    const d = diffRows([row(1, 'a'), row(2, 'b'), row(3, 'c')], [row(1, 'a'), row(3, 'X'), row(4, 'd')]);
    expect(d.map((x) => [x.kind, x.keyText])).toEqual([
      ['missing', '2'],
      ['changed', '3'],
      ['extra', '4'],
    ]);
  });

  it('finds nothing in equal rows, in any order', () => {
    expect(diffRows([row(1, 'a'), row(2, 'b')], [row(2, 'b'), row(1, 'a')])).toEqual([]);
  });

  it('cancels a row that two collations put in different ranges, or makes it one changed row', () => {
    const across = [
      { kind: 'missing' as const, keyText: 'a', key: ['a'], sourceHash: '1' },
      { kind: 'extra' as const, keyText: 'a', key: ['a'], targetHash: '1' },
      { kind: 'missing' as const, keyText: 'b', key: ['b'], sourceHash: '2' },
      { kind: 'extra' as const, keyText: 'b', key: ['b'], targetHash: '3' },
      { kind: 'extra' as const, keyText: 'c', key: ['c'], targetHash: '4' },
    ];
    expect(mergeRangeDiffs(across).map((x) => [x.kind, x.keyText])).toEqual([
      ['changed', 'b'],
      ['extra', 'c'],
    ]);
  });

  it('lists rows in key order, numbers by value', () => {
    const d = ['10', '9', '100'].map((k) => ({ kind: 'extra' as const, keyText: k, key: [Number(k)], targetHash: 'x' }));
    expect(mergeRangeDiffs(d).map((x) => x.key[0])).toEqual([9, 10, 100]);
  });

  it('names the columns whose canonical text differs, NULL included', () => {
    expect(changedColumns(['id', 'a', 'b', 'c'], [1, 'x', null, 5], [1, 'y', null, null])).toEqual(['a', 'c']);
  });
});
