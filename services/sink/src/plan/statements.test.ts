import { describe, expect, it } from 'vitest';
import { targetColumn as col } from '../decode/target-column-fixture.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { deleteSql, MAX_PLACEHOLDERS, paramBytes, planStatements, upsertSql } from './statements.ts';

const t: TargetTable = {
  database: 'd`b',
  table: 't',
  columns: [col('id'), col('a`b'), col('c')],
  key: [col('id')],
  keyIndexes: [0],
  id: 'x',
};

describe('statements', () => {
  it('quotes identifiers and uses placeholders only', () => {
    expect(upsertSql(t, 2)).toBe(
      'INSERT INTO `d``b`.`t` (`id`, `a``b`, `c`) VALUES (?, ?, ?), (?, ?, ?) ON DUPLICATE KEY UPDATE `a``b` = VALUES(`a``b`), `c` = VALUES(`c`)',
    );
    expect(deleteSql(t, 2)).toBe('DELETE FROM `d``b`.`t` WHERE `id` IN (?, ?)');
    // Not `(id, c) IN ((?, ?))`: TiDB (v8.5) matches no row with it in a prepared statement when a
    // key column is a _ci string, so composite-key deletes were lost there without an error.
    expect(deleteSql({ ...t, key: [col('id'), col('c')] }, 2)).toBe(
      'DELETE FROM `d``b`.`t` WHERE (`id` = ? AND `c` = ?) OR (`id` = ? AND `c` = ?)',
    );
  });

  it('splits into power-of-two chunks so few statements get prepared', () => {
    const sizes = (n: number, maxRows: number) =>
      planStatements(
        { table: t, truncate: false, upserts: Array.from({ length: n }, () => ['1', '2', '3']), deletes: [] },
        maxRows,
      ).map((s) => s.params.length / t.columns.length);
    expect(sizes(1000, 256)).toEqual([256, 256, 256, 128, 64, 32, 8]);
    expect(sizes(3, 1024)).toEqual([2, 1]);
    expect(sizes(0, 8)).toEqual([]);
  });

  it('never exceeds the placeholder limit', () => {
    const wide: TargetTable = { ...t, columns: Array.from({ length: 1000 }, (_, i) => col(`c${i}`)) };
    const rows = Array.from({ length: 300 }, () => Array(1000).fill('1'));
    const sts = planStatements({ table: wide, truncate: false, upserts: rows, deletes: [] }, 1024);
    expect(sts.every((s) => s.params.length <= MAX_PLACEHOLDERS)).toBe(true);
    expect(sts.reduce((n, s) => n + s.params.length / 1000, 0)).toBe(300);
  });

  it('puts deletes before upserts', () => {
    const sts = planStatements({ table: t, truncate: false, upserts: [['1', '2', '3']], deletes: [['4']] });
    expect(sts.map((s) => s.sql.split(' ')[0])).toEqual(['DELETE', 'INSERT']);
  });
});

describe('truncate', () => {
  it('deletes every row first, inside the transaction', () => {
    const sts = planStatements({ table: t, truncate: true, upserts: [['1', '2', '3']], deletes: [] });
    expect(sts.map((s) => s.sql.split(' (')[0])).toEqual(['DELETE FROM `d``b`.`t`', 'INSERT INTO `d``b`.`t`']);
  });
});

describe('statement size', () => {
  const rows = (n: number, bytes: number) => Array.from({ length: n }, (_, i) => [String(i), Buffer.alloc(bytes), '1']);
  const sizes = (maxBytes: number, n: number, bytes: number) =>
    planStatements({ table: t, truncate: false, upserts: rows(n, bytes), deletes: [] }, 1024, maxBytes).map(
      (s) => s.params.length / 3,
    );

  it('keeps each statement under the byte budget, in power-of-two sizes, every row once', () => {
    const got = sizes(3_000_000, 40, 600_000);
    expect(got).toEqual(Array(10).fill(4));
    expect(sizes(Number.POSITIVE_INFINITY, 40, 600_000)).toEqual([32, 8]);
  });

  it('sends a row larger than the budget alone', () => {
    expect(sizes(1_000, 3, 5_000)).toEqual([1, 1, 1]);
  });

  it('counts text by its UTF-8 bytes, BLOBs by their length', () => {
    expect(paramBytes('é'.repeat(100))).toBe(11 + 200);
    expect(paramBytes('ab')).toBe(11 + 6); // short text: an upper bound, not measured
    expect(paramBytes(Buffer.alloc(7))).toBe(18);
    expect(paramBytes(null)).toBe(11);
  });
});
