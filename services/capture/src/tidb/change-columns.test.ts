import { describe, expect, it } from 'vitest';
import { changeBound } from './change-columns.ts';
import { layoutChange } from './layout-change.ts';
import { goDurationMs } from './tidb-session.ts';

describe('changeBound', () => {
  const at = Date.UTC(2026, 11, 2, 7, 0, 0, 123);
  it('is the UTC time for a TIMESTAMP column', () => {
    expect(changeBound(at, { name: 'u', zoned: false }, 3600)).toBe('2026-12-02 07:00:00.123');
  });
  it('is wall-clock time in the server zone, an hour earlier, for a DATETIME column', () => {
    expect(changeBound(at, { name: 'u', zoned: true }, 2 * 3600)).toBe('2026-12-02 08:00:00.123');
    expect(changeBound(at, { name: 'u', zoned: true }, 0)).toBe('2026-12-02 06:00:00.123');
  });
});

describe('goDurationMs', () => {
  it('reads what tidb_gc_life_time shows', () => {
    expect(goDurationMs('10m0s')).toBe(600_000);
    expect(goDurationMs('1h30m')).toBe(5_400_000);
    expect(goDurationMs('500ms')).toBe(500);
    expect(goDurationMs('24h0m0s')).toBe(86_400_000);
  });
  it('refuses what it cannot read', () => {
    expect(() => goDurationMs('10 minutes')).toThrow(RangeError);
    expect(() => goDurationMs('')).toThrow(RangeError);
  });
});

describe('layoutChange', () => {
  it('is none for the same columns, or a table that did not exist before', () => {
    expect(layoutChange(['a', 'b'], ['a', 'b'])).toBeUndefined();
    expect(layoutChange(undefined, ['a'])).toBeUndefined();
  });
  it('tells the common columns and whether any were added', () => {
    expect(layoutChange(['a', 'b', 'c'], ['a', 'c'])).toEqual({ was: ['a', 'b', 'c'], common: ['a', 'c'], added: false });
    expect(layoutChange(['a', 'b'], ['a', 'b', 'x'])).toEqual({ was: ['a', 'b'], common: ['a', 'b'], added: true });
    // A rename: the old name is gone, the new one is added.
    expect(layoutChange(['a', 'b'], ['a', 'B2'])).toEqual({ was: ['a', 'b'], common: ['a'], added: true });
    // Reordered only: the same columns, compared as they are.
    expect(layoutChange(['a', 'b'], ['b', 'a'])).toEqual({ was: ['a', 'b'], common: ['a', 'b'], added: false });
  });
});
