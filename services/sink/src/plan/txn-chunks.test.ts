import { describe, expect, it } from 'vitest';
import { chunkEnd, TXN_BYTES, TXN_RECORDS } from './txn-chunks.ts';

const msgs = (sizes: number[]) => sizes.map((n) => ({ key: Buffer.alloc(4), value: Buffer.alloc(n) }));
const split = (sizes: number[], maxBytes: number) => {
  const m = msgs(sizes);
  const out: number[] = [];
  for (let i = 0; i < m.length; ) {
    const end = chunkEnd(m, i, maxBytes);
    out.push(end - i);
    i = end;
  }
  return out;
};

describe('chunkEnd', () => {
  it('cuts transactions by record count when records are small', () => {
    expect(split(Array(TXN_RECORDS * 2 + 5).fill(100), 32 << 20)).toEqual([TXN_RECORDS, TXN_RECORDS, 5]);
  });

  it('cuts by bytes when records are large, and never returns an empty chunk', () => {
    expect(split([400, 400, 400, 400, 400], 1_000)).toEqual([2, 2, 1]);
    expect(split([5_000, 10, 5_000], 1_000)).toEqual([1, 1, 1]);
  });

  it('ends a transaction after TXN_BYTES of records even when maxBytes allows more', () => {
    const per = 1_020; // 1,016 value bytes and a 4-byte key
    const fit = Math.floor(TXN_BYTES / per);
    expect(split(Array(fit * 2 + 3).fill(1_016), 32 << 20)).toEqual([fit, fit, 3]);
  });
});
