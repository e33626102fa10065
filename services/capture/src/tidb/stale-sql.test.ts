import { describe, expect, it } from 'vitest';
import {
  boundarySql,
  changedRowsSql,
  chunkChecksumSql,
  rangeCondition,
  rowHashesSql,
  rowsAfterSql,
  rowsByKeysSql,
  rowTextExpr,
} from './stale-sql.ts';

const t = { database: 'd`b', table: 'odd name;', columns: ['id', 'x`y', 'n'], key: ['id', 'x`y'], changeColumn: 'ch`g' };

describe('stale-sql', () => {
  it('quotes every identifier and takes every value as a parameter', () => {
    const s = rowsByKeysSql(t, [
      [1, 'a'],
      [2, "b'); DROP TABLE x; --"],
    ]);
    expect(s.sql).toBe(
      'SELECT `id`, `x``y`, `n` FROM `d``b`.`odd name;` WHERE (`id`, `x``y`) IN ((?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?))',
    );
    // Padded with the last key to a power of two (at least 8): few distinct prepared statements.
    expect(s.params).toHaveLength(16);
    expect(s.params.slice(0, 4)).toEqual([1, 'a', 2, "b'); DROP TABLE x; --"]);
    expect(s.params.slice(-2)).toEqual([2, "b'); DROP TABLE x; --"]);
  });

  it('builds open and closed key ranges', () => {
    expect(rangeCondition(['a', 'b'], { after: null, upTo: null })).toEqual({ sql: 'TRUE', params: [] });
    expect(rangeCondition(['a', 'b'], { after: [1, 2], upTo: [3, 4] })).toEqual({
      sql: '(`a`, `b`) > (?, ?) AND (`a`, `b`) <= (?, ?)',
      params: [1, 2, 3, 4],
    });
  });

  it('hashes the hex of each column and NULL markers, so no separator in a value makes two rows alike', () => {
    expect(rowTextExpr(['a', 'b'])).toBe(
      "CONCAT_WS('#', HEX(CAST(`a` AS BINARY)), HEX(CAST(`b` AS BINARY)), CONCAT(ISNULL(`a`), ISNULL(`b`)))",
    );
    const c = chunkChecksumSql(t, ['id'], { after: [5, 'x'], upTo: null });
    expect(c.sql).toContain('COUNT(*) AS n');
    expect(c.sql).toContain("SUM(CRC32(CONCAT('~', ");
    expect(c.params).toEqual([5, 'x']);
    expect(rowHashesSql(t, ['id'], { after: null, upTo: [9, 'z'] }).sql).toMatch(/ORDER BY `id`, `x``y`$/);
  });

  it('finds the next boundary by offset and pages whole rows after a key', () => {
    expect(boundarySql(t, null, 100).sql).toMatch(/LIMIT 1 OFFSET 99$/);
    expect(rowsAfterSql(t, [1, 'a'], 512)).toEqual({
      sql: 'SELECT `id`, `x``y`, `n` FROM `d``b`.`odd name;` WHERE (`id`, `x``y`) > (?, ?) ORDER BY `id`, `x``y` LIMIT 512',
      params: [1, 'a'],
    });
  });

  it('reads whole rows from a change-column bound given as a parameter', () => {
    const s = changedRowsSql(t, '2026-12-02 07:00:00.000', [1, 'a'], 10);
    expect(s.sql).toContain('WHERE `ch``g` >= ? AND (`id`, `x``y`) > (?, ?)');
    expect(s.params).toEqual(['2026-12-02 07:00:00.000', 1, 'a']);
    expect(() => changedRowsSql({ ...t, changeColumn: undefined }, 'x', null, 1)).toThrow(/no change column/);
  });
});
