import { describe, expect, it } from 'vitest';
import { checkpointText } from './render.ts';

describe('checkpointText', () => {
  it('shows a binlog position as file:pos', () => {
    expect(checkpointText({ file: 'binlog.000003', pos: 4567 })).toBe('binlog.000003:4567');
  });
  it("shows a TiDB query capture's read point as its time and TSO", () => {
    expect(checkpointText({ file: 'tso.000000', pos: Date.UTC(2026, 11, 2, 8, 0, 0, 5) })).toBe(
      `TiDB read point 2026-12-02T08:00:00.005Z (tso ${BigInt(Date.UTC(2026, 11, 2, 8, 0, 0, 5)) << 18n})`,
    );
  });
});
