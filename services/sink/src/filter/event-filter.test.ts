import type { SqlParam } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { TargetChange } from '../decode/change-decoder.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { testColumn } from '../decode/test-column.ts';
import { EventFilter, type FilterReason, type FilterRule } from './event-filter.ts';

const col = testColumn;
const table = (database: string, name: string): TargetTable => ({
  database,
  table: name,
  columns: [col('id', 'int'), col('status', 'varchar(10)'), col('amount', 'decimal(10,2)')],
  key: [col('id', 'int')],
  keyIndexes: [0],
  id: `${database}.${name}`,
});
const at = { sourceTsMs: 1, position: 'b.1:4', version: '' };
const up = (t: TargetTable, op: 'c' | 'u' | 'r', row: SqlParam[]): TargetChange => ({
  kind: 'upsert',
  op,
  table: t,
  key: [row[0] as SqlParam],
  row,
  ...at,
});

function filter(rules: FilterRule[]) {
  const seen: [string, FilterReason][] = [];
  return { f: new EventFilter(rules, (t, r) => seen.push([t, r])), seen };
}

describe('EventFilter', () => {
  const orders = table('shop', 'orders');
  const users = table('shop', 'users');

  it('skips the chosen operations of the matching tables only, and counts each', () => {
    const { f, seen } = filter([{ tables: ['shop.ord*'], skip: ['delete', 'truncate', 'drop_table'] }]);
    const del: TargetChange = { kind: 'delete', table: orders, key: [1], ...at };
    expect(f.apply(del)).toEqual({ kind: 'skip' });
    expect(f.apply({ kind: 'truncate', table: orders, ...at })).toEqual({ kind: 'skip' });
    expect(f.apply({ kind: 'drop', table: orders, ...at })).toEqual({ kind: 'skip' });
    const insert = up(orders, 'c', [1, 'new', '5.00']);
    expect(f.apply(insert)).toBe(insert);
    const other: TargetChange = { kind: 'delete', table: users, key: [1], ...at };
    expect(f.apply(other)).toBe(other);
    expect(seen).toEqual([
      ['shop.orders', 'skip_delete'],
      ['shop.orders', 'skip_truncate'],
      ['shop.orders', 'skip_drop_table'],
    ]);
  });

  it('skips inserts and updates, but never the snapshot rows', () => {
    const { f } = filter([{ tables: ['shop.*'], skip: ['insert', 'update'] }]);
    expect(f.apply(up(orders, 'c', [1, 'a', '1']))).toEqual({ kind: 'skip' });
    expect(f.apply(up(orders, 'u', [1, 'a', '1']))).toEqual({ kind: 'skip' });
    expect(f.apply(up(orders, 'r', [1, 'a', '1'])).kind).toBe('upsert');
  });

  it('keeps the rows where holds: others are not written, and a row updated out of it is deleted', () => {
    const { f, seen } = filter([{ tables: ['shop.orders'], skip: [], where: "status <> 'draft' AND amount >= 10" }]);
    expect(f.apply(up(orders, 'c', [1, 'paid', '10.00'])).kind).toBe('upsert');
    // Column names as MySQL takes them: in any case.
    const { f: upper } = filter([{ tables: ['shop.orders'], skip: [], where: "STATUS <> 'draft'" }]);
    expect(upper.apply(up(orders, 'c', [9, 'draft', '1'])).kind).toBe('skip');
    expect(f.apply(up(orders, 'r', [2, 'draft', '99.00']))).toEqual({ kind: 'skip' });
    expect(f.apply(up(orders, 'c', [3, 'paid', null]))).toEqual({ kind: 'skip' });
    expect(f.apply(up(orders, 'u', [1, 'draft', '10.00']))).toEqual({ kind: 'delete', table: orders, key: [1], ...at });
    const del: TargetChange = { kind: 'delete', table: orders, key: [4], ...at };
    expect(f.apply(del)).toBe(del);
    expect(seen.map((s) => s[1])).toEqual(['where_not_kept', 'where_not_kept', 'where_deleted']);
  });

  it('matches the source table even when a route renamed it, and leaves schema markers alone', () => {
    const routed = { ...table('archive', 'o'), origin: { database: 'shop', table: 'orders' } };
    const { f } = filter([{ tables: ['shop.orders'], skip: ['delete'] }]);
    expect(f.apply({ kind: 'delete', table: routed, key: [1], ...at })).toEqual({ kind: 'skip' });
    const marker: TargetChange = { kind: 'schema', table: orders, query: 'ALTER TABLE orders DROP x', ...at };
    expect(f.apply(marker)).toBe(marker);
  });

  it('names the column a where reads that the rows do not have', () => {
    const { f } = filter([{ tables: ['shop.orders'], skip: [], where: 'region = 1' }]);
    expect(() => f.apply(up(orders, 'c', [1, 'a', '1']))).toThrow(/no column region/);
  });
});
