import { BinlogPosition } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { RowDiff, RowHash } from './row-diff.ts';
import { type SettleIo, settle, splitSettled } from './row-settle.ts';

const h = (id: number, hash: string): [string, RowHash] => [String(id), { keyText: String(id), key: [id], hash }];
const cand = (id: number): RowDiff => ({ kind: 'changed', keyText: String(id), key: [id] });

describe('splitSettled', () => {
  it('sorts rows into equal, different (source unchanged) and changing', () => {
    const before = new Map([h(1, 'a'), h(2, 'b'), h(3, 'c'), h(5, 'e')]);
    const target = new Map([h(1, 'a'), h(2, 'x'), h(3, 'c0'), h(4, 'd')]);
    const after = new Map([h(1, 'a2'), h(2, 'b'), h(3, 'c2'), h(5, 'e')]);
    const s = splitSettled([1, 2, 3, 4, 5, 6].map(cand), { before, target, after });
    expect(s.equal.map((d) => d.key)).toEqual([[1], [6]]);
    expect(s.changing.map((d) => d.key)).toEqual([[3]]);
    expect(s.different).toEqual([
      { kind: 'changed', keyText: '2', key: [2], sourceHash: 'b', targetHash: 'x' },
      { kind: 'extra', keyText: '4', key: [4], targetHash: 'd' },
      { kind: 'missing', keyText: '5', key: [5], sourceHash: 'e' },
    ]);
  });
});

/** A source and a target as maps, where each source read may move some rows on. */
function world(opts: { source: Map<number, string>; target: Map<number, string>; onRead?: (n: number) => void; late?: boolean }) {
  let reads = 0;
  const io: SettleIo = {
    async rowHashes(side, keys) {
      if (side === 'source') opts.onRead?.(reads++);
      const m = side === 'source' ? opts.source : opts.target;
      return new Map(keys.flatMap((k) => (m.has(k[0] as number) ? [h(k[0] as number, m.get(k[0] as number) as string)] : [])));
    },
    position: async () => ({ position: new BinlogPosition('b.000001', 4), gtid: null }),
    sinkPassed: async () => !opts.late,
  };
  return io;
}

describe('settle', () => {
  it('keeps only rows that differ with the source still, re-reading rows the source changed', async () => {
    const source = new Map([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    const target = new Map([
      [1, 'a'],
      [2, 'x'],
      [3, 'c-old'],
    ]);
    // Row 3 changes on the source during the first re-check, and the sink catches up before the second.
    const io = world({
      source,
      target,
      onRead: (n) => {
        if (n === 1) source.set(3, 'c2');
        if (n === 2) target.set(3, 'c2');
      },
    });
    const r = await settle([1, 2, 3].map(cand), io, 5);
    expect(r.diffs.map((d) => [d.kind, d.key])).toEqual([['changed', [2]]]);
    expect(r.changing).toEqual([]);
    expect(r.sinkLate).toBe(false);
  });

  it('gives up on a row the source changes at every re-check, and reports it as changing', async () => {
    const source = new Map([[7, 'v0']]);
    const io = world({ source, target: new Map([[7, 'old']]), onRead: (n) => source.set(7, `v${n + 1}`) });
    const r = await settle([cand(7)], io, 3);
    expect(r.diffs).toEqual([]);
    expect(r.changing.map((d) => d.key)).toEqual([[7]]);
  });

  it('leaves the candidates as differences when the sink does not pass the position in time', async () => {
    const io = world({ source: new Map([[1, 'a']]), target: new Map(), late: true });
    const r = await settle([cand(1)], io, 3);
    expect(r).toEqual({ diffs: [cand(1)], changing: [], sinkLate: true });
  });
});
