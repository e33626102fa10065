import { qualified, quoteIdent, type SqlParam } from '@sluice/core';
import type { TargetTable } from '../decode/target-table.ts';
import type { TablePlan } from './batch-plan.ts';
import { carriesEnumError, enumErrorColumns } from './enum-error-value.ts';

export interface Statement {
  sql: string;
  params: SqlParam[];
  /** Carries an ENUM's error value (''), which only a non-strict session stores (enum-error-value.ts). */
  lenient?: boolean;
}

/** Prepared statements take at most 65,535 placeholders. */
export const MAX_PLACEHOLDERS = 65_535;

const rowsPerStatement = (width: number, maxRows: number) => Math.max(1, Math.min(maxRows, Math.floor(MAX_PLACEHOLDERS / width)));

/** About the bytes a parameter takes in an execute packet: type, length prefix, value. */
export function paramBytes(v: SqlParam): number {
  if (typeof v === 'string') return 11 + (v.length <= 64 ? v.length * 3 : Buffer.byteLength(v));
  if (Buffer.isBuffer(v)) return 11 + v.length;
  return 11;
}

const rowBytes = (row: SqlParam[]): number => {
  let n = 0;
  for (const v of row) n += paramBytes(v);
  return n;
};

/**
 * Splits rows into chunks whose sizes are powers of two (largest first), so that a table needs at
 * most log2(maxRows) distinct prepared statements however batch sizes vary. A chunk whose rows
 * exceed maxBytes (the target's max_allowed_packet, less a margin) becomes the largest power of
 * two that fits; a row larger than that goes alone, and the target says whether it takes it.
 */
function* chunks(rows: SqlParam[][], width: number, maxRows: number, maxBytes: number): Generator<SqlParam[][]> {
  const cap = rowsPerStatement(width, maxRows);
  let i = 0;
  while (i < rows.length) {
    let size = 1;
    while (size * 2 <= Math.min(cap, rows.length - i)) size *= 2;
    let bytes = 0;
    let fit = 0;
    while (fit < size) {
      bytes += rowBytes(rows[i + fit] as SqlParam[]);
      if (bytes > maxBytes) break;
      fit++;
    }
    if (fit < size) {
      size = 1;
      while (size * 2 <= fit) size *= 2; // fit 0: the oversized row alone
    }
    yield rows.slice(i, i + size);
    i += size;
  }
}

/** Multi-row INSERT ... ON DUPLICATE KEY UPDATE of every non-key column. */
export function upsertSql(t: TargetTable, rows: number): string {
  const cols = t.columns.map((c) => quoteIdent(c.name)).join(', ');
  const tuple = `(${t.columns.map(() => '?').join(', ')})`;
  const keyNames = new Set(t.key.map((k) => k.name));
  const nonKey = t.columns.filter((c) => !keyNames.has(c.name));
  const updates = (nonKey.length ? nonKey : t.key).map((c) => `${quoteIdent(c.name)} = VALUES(${quoteIdent(c.name)})`);
  return `INSERT INTO ${qualified(t.database, t.table)} (${cols}) VALUES ${Array(rows).fill(tuple).join(', ')} ON DUPLICATE KEY UPDATE ${updates.join(', ')}`;
}

/**
 * DELETE by key: `k IN (?, ...)`, or `(k1 = ? AND k2 = ?) OR ...` for composite keys. Not the row
 * constructor `(k1, k2) IN ((?, ?))`: TiDB (v8.5) matches no row with it in a prepared statement
 * when a key column is a _ci string, and says nothing.
 */
export function deleteSql(t: TargetTable, keys: number): string {
  const table = qualified(t.database, t.table);
  if (t.key.length === 1) {
    return `DELETE FROM ${table} WHERE ${quoteIdent((t.key[0] as { name: string }).name)} IN (${Array(keys).fill('?').join(', ')})`;
  }
  const one = `(${t.key.map((k) => `${quoteIdent(k.name)} = ?`).join(' AND ')})`;
  return `DELETE FROM ${table} WHERE ${Array(keys).fill(one).join(' OR ')}`;
}

/** The statements of one table plan: deletes first (a unique value may move to another key), then upserts. */
export function planStatements(plan: TablePlan, maxRows = 1024, maxBytes = Number.POSITIVE_INFINITY): Statement[] {
  const out: Statement[] = [];
  // DELETE, not TRUNCATE: TRUNCATE is DDL and would commit the batch's transaction midway.
  if (plan.truncate) out.push({ sql: `DELETE FROM ${qualified(plan.table.database, plan.table.table)}`, params: [] });
  for (const keys of chunks(plan.deletes, plan.table.key.length, maxRows, maxBytes)) {
    out.push({ sql: deleteSql(plan.table, keys.length), params: keys.flat() });
  }
  const enumErrors = enumErrorColumns(plan.table);
  for (const rows of chunks(plan.upserts, plan.table.columns.length, maxRows, maxBytes)) {
    const st: Statement = { sql: upsertSql(plan.table, rows.length), params: rows.flat() };
    if (enumErrors.length && rows.some((r) => carriesEnumError(r, enumErrors))) st.lenient = true;
    out.push(st);
  }
  return out;
}
