import { describe, expect, it } from 'vitest';
import { boundarySql, checksumSql, columnTextsSql, exactRowsSql, rowHashExpr, rowHashesSql } from './checksum-sql.ts';
import type { ComparedColumn } from './comparison.ts';

const col = (name: string, canonical = `\`${name}\``): ComparedColumn => ({
  name,
  kind: 'integer',
  canonical,
  exact: `\`${name}\``,
});
const t = {
  database: 'shop',
  table: 'items',
  key: [col('id')],
  columns: [col('id'), col('name', 'HEX(CONVERT(`name` USING utf8mb4))')],
};

describe('checksum SQL', () => {
  it('hashes each row as CRC32 of canonical texts and NULL markers', () => {
    expect(rowHashExpr(t.columns)).toBe(
      "CRC32(CONCAT_WS('#', `id`, HEX(CONVERT(`name` USING utf8mb4)), CONCAT(ISNULL(`id`), ISNULL(`name`))))",
    );
  });

  it('sums row hashes and counts rows over a range', () => {
    const s = checksumSql(t, { after: [10], upTo: [20] });
    expect(s.sql).toBe(
      `SELECT COUNT(*) AS n, COALESCE(SUM(${rowHashExpr(t.columns)}), 0) AS h FROM \`shop\`.\`items\` WHERE \`id\` > ? AND \`id\` <= ?`,
    );
    expect(s.params).toEqual([10, 20]);
  });

  it('finds the end of the next range by offset in key order', () => {
    expect(boundarySql(t, { after: [10], upTo: null }, 1000)).toEqual({
      sql: 'SELECT `id` FROM `shop`.`items` WHERE `id` > ? ORDER BY `id` LIMIT 1 OFFSET 999',
      params: [10],
    });
  });

  it('reads per-row hashes with the canonical key text first', () => {
    expect(rowHashesSql(t, { after: null, upTo: null }).sql).toBe(
      `SELECT CONCAT_WS('#', \`id\`) AS k, ${rowHashExpr(t.columns)} AS h, \`id\` FROM \`shop\`.\`items\` WHERE 1=1`,
    );
  });

  it('looks rows up by key for column texts and repairs', () => {
    const s = columnTextsSql(t, [[1], [2]]);
    expect(s.sql).toMatch(/WHERE \(`id` = \?\) OR \(`id` = \?\)$/);
    expect(s.params).toEqual([1, 2]);
    expect(exactRowsSql(t, [{ name: 'f', exact: '(`f` + 0e0)' }], [[3]]).sql).toBe(
      "SELECT CONCAT_WS('#', `id`) AS k, (`f` + 0e0) FROM `shop`.`items` WHERE (`id` = ?)",
    );
  });
});
