import { describe, expect, it } from 'vitest';
import { BinlogPosition } from './binlog-position.ts';
import { TSO_FILE, Tso } from './tso.ts';

describe('Tso', () => {
  it('splits physical milliseconds and the logical counter', () => {
    const t = new Tso((1_764_660_000_123n << 18n) | 7n);
    expect(t.physicalMs).toBe(1_764_660_000_123);
    expect(t.logical).toBe(7);
    expect(t.floorMs().logical).toBe(0);
    expect(t.floorMs().physicalMs).toBe(1_764_660_000_123);
  });

  it('round-trips through a position, which orders by time', () => {
    const a = Tso.ofMs(1_764_660_000_123);
    const p = a.asPosition();
    expect(p.toString()).toBe(`${TSO_FILE}:1764660000123`);
    expect(Tso.fromPosition(p)?.value).toBe(a.value);
    expect(Tso.fromPosition(new BinlogPosition('binlog.000001', 4))).toBeUndefined();
    expect(a.asPosition().compare(Tso.ofMs(1_764_660_000_124).asPosition())).toBe(-1);
  });

  it('parses decimal text exactly beyond 2^53, and refuses anything else', () => {
    expect(Tso.parse('463500000000000001').value).toBe(463_500_000_000_000_001n);
    expect(() => Tso.parse('12a')).toThrow(RangeError);
    expect(() => Tso.parse('-1')).toThrow(RangeError);
    expect(() => Tso.ofMs(1.5)).toThrow(RangeError);
  });

  it('prints the UTC literal a stale read takes', () => {
    expect(Tso.ofMs(Date.UTC(2026, 11, 2, 7, 30, 0, 5)).utcLiteral()).toBe('2026-12-02 07:30:00.005');
  });

  it('compares', () => {
    expect(Tso.ofMs(2).compare(Tso.ofMs(1))).toBe(1);
    expect(Tso.ofMs(1).compare(Tso.ofMs(1))).toBe(0);
  });
});
