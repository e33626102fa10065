import { describe, expect, it } from 'vitest';
import { sourceVersion } from './source-version.ts';

describe('sourceVersion', () => {
  it('orders by file, then position, then row', () => {
    const v = (file: string, pos: number, row: number) => BigInt(sourceVersion({ file, pos, row }));
    expect(v('binlog.000002', 4, 0)).toBeGreaterThan(v('binlog.000001', 4_000_000_000, 999));
    expect(v('binlog.000002', 500, 0)).toBeGreaterThan(v('binlog.000002', 499, 7));
    expect(v('binlog.000002', 500, 3)).toBeGreaterThan(v('binlog.000002', 500, 2));
  });
});
