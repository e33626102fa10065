import { qualified, quoteIdent } from '@sluice/core';
import { paddedCount } from '../snapshot/gone-keys.ts';

/** A statement and its parameters, run in a read-only transaction at a read point (read-points.ts). */
export interface StaleStatement {
  sql: string;
  params: unknown[];
}

/** The table as the query capture reads it: its columns, key and optional change column. */
export interface StaleTable {
  database: string;
  table: string;
  columns: string[];
  key: string[];
  /** A column every write moves forward (ON UPDATE CURRENT_TIMESTAMP), or none. */
  changeColumn?: string;
}

/** A key range (lo, hi]: null ends are open. Boundaries are key tuples. */
export interface KeyRange {
  after: unknown[] | null;
  upTo: unknown[] | null;
}

const list = (names: string[]) => names.map(quoteIdent).join(', ');
const tuple = (n: number) => `(${Array.from({ length: n }, () => '?').join(', ')})`;
const from = (t: StaleTable) => qualified(t.database, t.table);

/** `(k) > (?) AND (k) <= (?)` for a range, with its parameters. */
export function rangeCondition(key: string[], range: KeyRange): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (range.after) {
    parts.push(`(${list(key)}) > ${tuple(key.length)}`);
    params.push(...range.after);
  }
  if (range.upTo) {
    parts.push(`(${list(key)}) <= ${tuple(key.length)}`);
    params.push(...range.upTo);
  }
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

/**
 * Text hashed per row: each column's bytes in hex (no separator inside a value can make two rows
 * alike), `#`-joined, then NULL markers (CONCAT_WS skips NULLs).
 */
export function rowTextExpr(columns: string[]): string {
  const hexed = columns.map((c) => `HEX(CAST(${quoteIdent(c)} AS BINARY))`);
  const nulls = `CONCAT(${columns.map((c) => `ISNULL(${quoteIdent(c)})`).join(', ')})`;
  return `CONCAT_WS('#', ${[...hexed, nulls].join(', ')})`;
}

/**
 * Row count and two independent sums of row hashes over a range at a read point: equal at two
 * read points means the same rows (of `hashed` columns) bar a double CRC collision.
 */
export function chunkChecksumSql(t: StaleTable, hashed: string[], range: KeyRange): StaleStatement {
  const where = rangeCondition(t.key, range);
  const text = rowTextExpr(hashed);
  return {
    sql: `SELECT COUNT(*) AS n, COALESCE(SUM(CRC32(${text})), 0) AS h1, COALESCE(SUM(CRC32(CONCAT('~', ${text}))), 0) AS h2 FROM ${from(t)} WHERE ${where.sql}`,
    params: where.params,
  };
}

/** The key of the `offset`-th row after `after` in key order: where the next chunk ends. */
export function boundarySql(t: StaleTable, after: unknown[] | null, offset: number): StaleStatement {
  const where = rangeCondition(t.key, { after, upTo: null });
  return {
    sql: `SELECT ${list(t.key)} FROM ${from(t)} WHERE ${where.sql} ORDER BY ${list(t.key)} LIMIT 1 OFFSET ${Math.max(0, Math.floor(offset) - 1)}`,
    params: where.params,
  };
}

/** Each row's key and hash in a range, in key order: which keys of a chunk differ between two reads. */
export function rowHashesSql(t: StaleTable, hashed: string[], range: KeyRange): StaleStatement {
  const where = rangeCondition(t.key, range);
  return {
    sql: `SELECT ${list(t.key)}, CRC32(${rowTextExpr(hashed)}) AS h FROM ${from(t)} WHERE ${where.sql} ORDER BY ${list(t.key)}`,
    params: where.params,
  };
}

/**
 * Rows whose change column is at or after a bound, after `after` in key order: the rows
 * that may have changed since the previous read. `bound` is compared in the column's own terms.
 */
export function changedRowsSql(t: StaleTable, bound: string, after: unknown[] | null, limit: number): StaleStatement {
  if (!t.changeColumn) throw new Error(`${t.database}.${t.table} has no change column`);
  const where = rangeCondition(t.key, { after, upTo: null });
  return {
    sql: `SELECT ${list(t.columns)} FROM ${from(t)} WHERE ${quoteIdent(t.changeColumn)} >= ? AND ${where.sql} ORDER BY ${list(t.key)} LIMIT ${Math.floor(limit)}`,
    params: [bound, ...where.params],
  };
}

/** Whole rows by key at a read point; the key list padded to a power of two (few distinct statements). */
export function rowsByKeysSql(t: StaleTable, keys: unknown[][]): StaleStatement {
  const slots = paddedCount(keys.length);
  const padded = [...keys, ...Array.from({ length: slots - keys.length }, () => keys[keys.length - 1] as unknown[])];
  const inList = Array.from({ length: slots }, () => tuple(t.key.length)).join(', ');
  return {
    sql: `SELECT ${list(t.columns)} FROM ${from(t)} WHERE (${list(t.key)}) IN (${inList})`,
    params: padded.flat(),
  };
}

/** Rows after `after` in key order: every row of the table, page by page. */
export function rowsAfterSql(t: StaleTable, after: unknown[] | null, limit: number): StaleStatement {
  const where = rangeCondition(t.key, { after, upTo: null });
  return {
    sql: `SELECT ${list(t.columns)} FROM ${from(t)} WHERE ${where.sql} ORDER BY ${list(t.key)} LIMIT ${Math.floor(limit)}`,
    params: where.params,
  };
}
