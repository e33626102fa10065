import { describe, expect, it } from 'vitest';
import { FreshnessHistory, Ring } from './history.ts';

describe('Ring', () => {
  it('keeps the newest values, oldest first, after wrapping around', () => {
    const r = new Ring<number>(3);
    expect(r.values()).toEqual([]);
    r.push(1);
    r.push(2);
    expect(r.values()).toEqual([1, 2]);
    r.push(3);
    r.push(4);
    r.push(5);
    expect(r.values()).toEqual([3, 4, 5]);
    expect(r.size).toBe(3);
    for (let i = 6; i <= 100; i++) r.push(i);
    expect(r.values()).toEqual([98, 99, 100]);
  });

  it('refuses a capacity that is not a whole number of at least 1', () => {
    expect(() => new Ring(0)).toThrow(RangeError);
    expect(() => new Ring(1.5)).toThrow(RangeError);
  });
});

describe('FreshnessHistory', () => {
  const hour = 3_600_000;

  it('holds an hour of samples at the interval, and no more', () => {
    const h = new FreshnessHistory(hour, 5_000);
    expect(h.capacity).toBe(721);
    const t0 = 1_000_000_000;
    // Two hours of samples every 5 s: only the last hour's survive, in memory bounded by the ring.
    for (let t = t0; t <= t0 + 2 * hour; t += 5_000) h.add(t, [{ name: 'tidb', freshnessSeconds: (t - t0) / 1000 }]);
    const [tidb] = h.series(t0 + 2 * hour);
    expect(tidb?.sink).toBe('tidb');
    expect(tidb?.points).toHaveLength(721);
    expect(tidb?.points[0]).toEqual([t0 + hour, 3600]);
    expect(tidb?.points.at(-1)).toEqual([t0 + 2 * hour, 7200]);
  });

  it('keeps unknown freshness as null, sorts sinks by name, and forgets a sink whose samples all aged out', () => {
    const h = new FreshnessHistory(60_000, 1_000);
    h.add(0, [
      { name: 'z<odd>', freshnessSeconds: 1 },
      { name: 'gone', freshnessSeconds: 2 },
    ]);
    h.add(50_000, [{ name: 'z<odd>', freshnessSeconds: null }]);
    h.add(55_000, [{ name: 'a', freshnessSeconds: 0.5 }]);
    expect(h.series(55_000)).toEqual([
      { sink: 'a', points: [[55_000, 0.5]] },
      { sink: 'gone', points: [[0, 2]] },
      {
        sink: 'z<odd>',
        points: [
          [0, 1],
          [50_000, null],
        ],
      },
    ]);
    // A minute later the first samples are out of the window; "gone" has nothing left.
    expect(h.series(100_000).map((s) => s.sink)).toEqual(['a', 'z<odd>']);
    expect(h.series(100_000)[1]?.points).toEqual([[50_000, null]]);
  });

  it('treats a sink named like an Object property as any other name', () => {
    const h = new FreshnessHistory(60_000, 1_000);
    h.add(1, [
      { name: '__proto__', freshnessSeconds: 3 },
      { name: 'constructor', freshnessSeconds: 4 },
    ]);
    expect(h.series(1)).toEqual([
      { sink: '__proto__', points: [[1, 3]] },
      { sink: 'constructor', points: [[1, 4]] },
    ]);
  });
});
