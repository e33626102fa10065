import { qualified, quoteIdent } from '@sluice/core';
import type { ComparedColumn } from './comparison.ts';
import { type Key, type KeyRange, rangeCondition } from './key-range.ts';

export interface Statement {
  sql: string;
  params: unknown[];
}

/** The table and columns one side's queries need. */
export interface TableSql {
  database: string;
  table: string;
  key: ComparedColumn[];
  columns: ComparedColumn[];
}

/**
 * The per-row hash: CRC32 over the canonical text of every compared column, `#`-separated, and a
 * last field of NULL markers (CONCAT_WS skips NULLs, so without them `NULL` and a missing value
 * would hash alike). Key columns are part of the row, so a row moved to another key differs.
 */
export function rowHashExpr(columns: ComparedColumn[]): string {
  const markers = columns.map((c) => `ISNULL(${quoteIdent(c.name)})`);
  return `CRC32(CONCAT_WS('#', ${[...columns.map((c) => c.canonical), `CONCAT(${markers.join(', ')})`].join(', ')}))`;
}

/** The key as one canonical text: equal keys give equal text on every server, whatever the collation. */
export const keyTextExpr = (key: ComparedColumn[]): string => `CONCAT_WS('#', ${key.map((c) => c.canonical).join(', ')})`;

const keyNames = (t: TableSql) => t.key.map((c) => c.name);

/** Row count and the sum of row hashes of a range: equal on both sides means equal rows (bar CRC collisions). */
export function checksumSql(t: TableSql, range: KeyRange): Statement {
  const where = rangeCondition(keyNames(t), range);
  return {
    sql: `SELECT COUNT(*) AS n, COALESCE(SUM(${rowHashExpr(t.columns)}), 0) AS h FROM ${qualified(t.database, t.table)} WHERE ${where.sql}`,
    params: where.params,
  };
}

/**
 * The key of the `offset`-th row (1-based) of a range, in key order: where the next chunk ends.
 * Read on the source only; ranges then hold about `offset` rows each.
 */
export function boundarySql(t: TableSql, range: KeyRange, offset: number): Statement {
  const where = rangeCondition(keyNames(t), range);
  const order = t.key.map((c) => quoteIdent(c.name)).join(', ');
  return {
    sql: `SELECT ${t.key.map((c) => c.exact).join(', ')} FROM ${qualified(t.database, t.table)} WHERE ${where.sql} ORDER BY ${order} LIMIT 1 OFFSET ${Math.max(0, Math.floor(offset) - 1)}`,
    params: where.params,
  };
}

/** Per row of a range: canonical key text, the exact key, the row hash. Used once a range is small. */
export function rowHashesSql(t: TableSql, range: KeyRange): Statement {
  const where = rangeCondition(keyNames(t), range);
  return {
    sql: `SELECT ${keyTextExpr(t.key)} AS k, ${rowHashExpr(t.columns)} AS h, ${t.key.map((c) => c.exact).join(', ')} FROM ${qualified(t.database, t.table)} WHERE ${where.sql}`,
    params: where.params,
  };
}

/** rowHashesSql for some rows by key: their newest state, for re-checking rows found different. */
export function rowHashesByKeysSql(t: TableSql, keys: Key[]): Statement {
  const where = keysCondition(t, keys);
  return {
    sql: `SELECT ${keyTextExpr(t.key)} AS k, ${rowHashExpr(t.columns)} AS h, ${t.key.map((c) => c.exact).join(', ')} FROM ${qualified(t.database, t.table)} WHERE ${where.sql}`,
    params: where.params,
  };
}

/** `(k1 = ? AND k2 = ?) OR ...` for a list of keys. */
function keysCondition(t: TableSql, keys: Key[]): Statement {
  const one = `(${t.key.map((c) => `${quoteIdent(c.name)} = ?`).join(' AND ')})`;
  return { sql: keys.map(() => one).join(' OR '), params: keys.flat() };
}

/** Canonical text of every column for some rows: which columns of a changed row differ. */
export function columnTextsSql(t: TableSql, keys: Key[]): Statement {
  const where = keysCondition(t, keys);
  return {
    sql: `SELECT ${keyTextExpr(t.key)} AS k, ${t.columns.map((c) => c.canonical).join(', ')} FROM ${qualified(t.database, t.table)} WHERE ${where.sql}`,
    params: where.params,
  };
}

/** Exact values of the given columns for some rows, after the canonical key text: what a repair writes. */
export function exactRowsSql(t: TableSql, columns: { name: string; exact: string }[], keys: Key[]): Statement {
  const where = keysCondition(t, keys);
  return {
    sql: `SELECT ${keyTextExpr(t.key)} AS k, ${columns.map((c) => c.exact).join(', ')} FROM ${qualified(t.database, t.table)} WHERE ${where.sql}`,
    params: where.params,
  };
}
