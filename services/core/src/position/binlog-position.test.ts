import { describe, expect, it } from 'vitest';
import { BinlogPosition } from './binlog-position.ts';

describe('BinlogPosition', () => {
  it('parses and prints file:position', () => {
    const p = BinlogPosition.parse('binlog.000012:4711');
    expect([p.file, p.pos]).toEqual(['binlog.000012', 4711]);
    expect(p.toString()).toBe('binlog.000012:4711');
    expect(p.withGtidSet('0-1-9').toString()).toBe('binlog.000012:4711 (gtid 0-1-9)');
  });

  it('orders by file sequence, then position', () => {
    const a = new BinlogPosition('binlog.000009', 900);
    const b = new BinlogPosition('binlog.000010', 4);
    expect(a.compare(b)).toBe(-1);
    expect(b.compare(a)).toBe(1);
    expect(b.compare(new BinlogPosition('binlog.000010', 4))).toBe(0);
  });

  it('refuses what is not a position', () => {
    expect(() => BinlogPosition.parse('nope')).toThrow(RangeError);
    expect(() => new BinlogPosition('binlog.000001', -1)).toThrow(RangeError);
  });
});
