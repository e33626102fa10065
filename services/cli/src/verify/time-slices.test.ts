import { describe, expect, it } from 'vitest';
import { parseDuration, parseTime, planSlices, sqlTime } from './time-slices.ts';

describe('time slices', () => {
  it('cuts [since, until) into slices, the last one shorter, as UTC text with microseconds', () => {
    const since = Date.parse('2026-11-30T12:00:00Z');
    expect(planSlices(since, since + 150 * 60_000, 3_600_000)).toEqual([
      { from: '2026-11-30 12:00:00.000000', to: '2026-11-30 13:00:00.000000' },
      { from: '2026-11-30 13:00:00.000000', to: '2026-11-30 14:00:00.000000' },
      { from: '2026-11-30 14:00:00.000000', to: '2026-11-30 14:30:00.000000' },
    ]);
    expect(sqlTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02 03:04:05.678000');
  });

  it('refuses what cannot be sliced, naming the flag', () => {
    expect(() => planSlices(10, 10, 1)).toThrow(/--until must be after --since/);
    expect(() => planSlices(0, 86_400_000 * 30, 60_000)).toThrow(/43200 slices/);
    expect(() => parseDuration('slice', '1 week')).toThrow(/--slice takes a duration/);
    expect(parseDuration('slice', '15m')).toBe(900_000);
    expect(() => parseTime('since', '2026-11-30 12:00:00', 0)).toThrow(/--since takes an ISO 8601 time with a zone/);
    expect(parseTime('until', 'now', 42)).toBe(42);
    expect(parseTime('since', '2026-11-30T13:00:00+01:00', 0)).toBe(Date.parse('2026-11-30T12:00:00Z'));
  });
});
