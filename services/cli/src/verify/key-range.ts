import { quoteIdent } from '@sluice/core';

/** A key value as the client reads it: one entry per key column, in key order. */
export type Key = unknown[];

/**
 * A half-open slice of a table in key order: rows with key > `after` (or from the start) and
 * key <= `upTo` (or to the end). Ranges planned on the source cover the whole key space, so a
 * row that exists only in the target still falls in exactly one of them.
 */
export interface KeyRange {
  after: Key | null;
  upTo: Key | null;
  /** Only rows whose time column is in this window (a time-slice verify, time-slices.ts). */
  time?: TimeWindow;
}

/** Rows with `column` >= from and < to; times as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (sessions run in UTC). */
export interface TimeWindow {
  column: string;
  from: string;
  to: string;
}

export const WHOLE_TABLE: KeyRange = { after: null, upTo: null };

/**
 * `(k1, k2) > (a, b)` written out as `k1 > a OR (k1 = a AND k2 > b)`: every server uses the key
 * index for this form, while row-constructor comparisons are not range-optimised everywhere.
 */
function compare(columns: string[], op: '>' | '<=', key: Key): { sql: string; params: unknown[] } {
  const strict = op === '>' ? '>' : '<';
  const parts: string[] = [];
  const params: unknown[] = [];
  for (let i = 0; i < columns.length; i++) {
    const eqs = columns.slice(0, i).map((c) => `${quoteIdent(c)} = ?`);
    const last = i === columns.length - 1 ? op : strict;
    parts.push([...eqs, `${quoteIdent(columns[i] as string)} ${last} ?`].join(' AND '));
    params.push(...key.slice(0, i), key[i]);
  }
  return { sql: parts.length === 1 ? (parts[0] as string) : `(${parts.map((p) => `(${p})`).join(' OR ')})`, params };
}

/** The WHERE condition of a range, with its parameters (`1=1` for the whole table). */
export function rangeCondition(keyColumns: string[], range: KeyRange): { sql: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  for (const [op, key] of [
    ['>', range.after],
    ['<=', range.upTo],
  ] as const) {
    if (!key) continue;
    const c = compare(keyColumns, op, key);
    conds.push(c.sql);
    params.push(...c.params);
  }
  if (range.time) {
    conds.push(`${quoteIdent(range.time.column)} >= ? AND ${quoteIdent(range.time.column)} < ?`);
    params.push(range.time.from, range.time.to);
  }
  return { sql: conds.length ? conds.join(' AND ') : '1=1', params };
}

/** Split points -> consecutive ranges covering everything: (-inf, p1], (p1, p2], ..., (pn, +inf). */
export function rangesFromBoundaries(boundaries: Key[]): KeyRange[] {
  const ranges: KeyRange[] = [];
  let after: Key | null = null;
  for (const b of boundaries) {
    ranges.push({ after, upTo: b });
    after = b;
  }
  ranges.push({ after, upTo: null });
  return ranges;
}

/** A short printable form of a range, for progress and reports. */
export function describeRange(range: KeyRange): string {
  const keys = describeKeys(range);
  if (!range.time) return keys;
  const slice = `${range.time.column} in [${range.time.from}, ${range.time.to})`;
  return keys === 'all rows' ? slice : `${keys}, ${slice}`;
}

function describeKeys(range: KeyRange): string {
  const k = (key: Key) => (key.length === 1 ? printable(key[0]) : `(${key.map(printable).join(', ')})`);
  if (!range.after && !range.upTo) return 'all rows';
  if (!range.after) return `key <= ${k(range.upTo as Key)}`;
  if (!range.upTo) return `key > ${k(range.after)}`;
  return `${k(range.after)} < key <= ${k(range.upTo)}`;
}

export function printable(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
