import type { Tso } from '@sluice/core';
import type { KeyChunks } from './key-chunks.ts';
import type { StaleReads } from './read-points.ts';
import { keyText, type RowChange, rowChange } from './row-diff.ts';
import { changedRowsSql, rowsAfterSql, rowsByKeysSql, type StaleTable } from './stale-sql.ts';

/** Keys per read of whole rows (and per batch handed on). */
const KEYS_PER_READ = 512;

/** A table whose layout differs between the two read points (a DDL in between). */
export interface LayoutChange {
  /** The columns the table had at the previous read point. */
  was: string[];
  /** Those of them it still has: rows are compared on these. */
  common: string[];
  /** Columns were added (or renamed): every row is published again, in its new layout. */
  added: boolean;
}

/**
 * One table's changes between two read points, batch by batch in key order:
 * 1. with a change column, the keys whose change column is at or after `bound` now (rows written
 *    since the previous read point can have no older value, see query-capture.ts);
 * 2. key ranges whose checksums differ (key-chunks.ts): deletes, and inserts the first step did
 *    not see (a change column written with an old value); with no change column, every change.
 * Every candidate row is read at both read points and published only when it differs
 * (row-diff.ts): a row is never published twice for one version, whatever the overlap.
 *
 * Across a layout change rows are compared on the columns both layouts have, and an update has
 * no before image; when columns were added every row is published again (the new columns' values
 * cannot be known otherwise: a default, a rename, a generated value).
 */
export async function tableChanges(opts: {
  reads: StaleReads;
  table: StaleTable;
  chunks: KeyChunks;
  prev: Tso;
  cur: Tso;
  /** The change column's lower bound, in the column's own terms (change-columns.ts). */
  bound?: string;
  layout?: LayoutChange;
  emit: (changes: RowChange[]) => Promise<void>;
  stopping: () => boolean;
}): Promise<number> {
  const { reads, table, prev, cur, layout } = opts;
  let n = 0;
  const publish = async (keys: unknown[][], nowOnly?: { sql: string; params: unknown[] }) => {
    for (let i = 0; i < keys.length; i += KEYS_PER_READ) {
      const part = keys.slice(i, i + KEYS_PER_READ);
      const changes = await diffRows({ reads, table, keys: part, prev, cur, layout, nowOnly });
      n += changes.length;
      if (changes.length) await opts.emit(changes);
    }
  };
  const pages = async (next: (after: unknown[] | null) => ReturnType<typeof rowsAfterSql>) => {
    let after: unknown[] | null = null;
    for (;;) {
      if (opts.stopping()) return;
      // Whole rows now, in one read: only their state at the previous read point is read by key.
      const rows = await reads.rows(cur, next(after));
      if (rows.length === 0) return;
      const keys = rows.map((r) => table.key.map((k) => r[k]));
      const changes = await diffRows({ reads, table, keys, prev, cur, layout, nowOnly: undefined, now: rows });
      n += changes.length;
      if (changes.length) await opts.emit(changes);
      after = keys[keys.length - 1] as unknown[];
      if (rows.length < KEYS_PER_READ) return;
    }
  };
  const changeScan = table.changeColumn !== undefined && opts.bound !== undefined && !layout?.added;
  if (layout?.added) await pages((after) => rowsAfterSql(table, after, KEYS_PER_READ));
  else if (changeScan) await pages((after) => changedRowsSql(table, opts.bound as string, after, KEYS_PER_READ));
  for await (const d of opts.chunks.differences(prev, cur)) {
    if (opts.stopping()) return n;
    if (layout?.added) {
      await publish(d.gone);
    } else if (!changeScan) {
      await publish([...d.gone, ...d.added, ...d.changed]);
    } else {
      await publish(d.gone);
      // Inserts the change-column step found already are left out here, by the exact complement
      // of its condition (a NULL change column is not >= anything).
      const column = `\`${(table.changeColumn as string).replaceAll('`', '``')}\``;
      await publish(d.added, { sql: `NOT COALESCE(${column} >= ?, FALSE)`, params: [opts.bound] });
    }
  }
  return n;
}

/** Rows of some keys at both read points, paired, as changes (unchanged ones left out). */
async function diffRows(o: {
  reads: StaleReads;
  table: StaleTable;
  keys: unknown[][];
  prev: Tso;
  cur: Tso;
  layout: LayoutChange | undefined;
  nowOnly: { sql: string; params: unknown[] } | undefined;
  /** The rows now, when already read. */
  now?: Record<string, unknown>[];
}): Promise<RowChange[]> {
  const { table, layout, nowOnly } = o;
  const stmt = rowsByKeysSql(table, o.keys);
  const prevStmt = layout ? rowsByKeysSql({ ...table, columns: layout.was }, o.keys) : stmt;
  const curStmt = nowOnly ? { sql: `${stmt.sql} AND ${nowOnly.sql}`, params: [...stmt.params, ...nowOnly.params] } : stmt;
  const [before, now] = await Promise.all([o.reads.rows(o.prev, prevStmt), o.now ?? o.reads.rows(o.cur, curStmt)]);
  const was = new Map(before.map((r) => [keyText(r, table.key), r]));
  const is = new Map(now.map((r) => [keyText(r, table.key), r]));
  const out: RowChange[] = [];
  const seen = new Set<string>();
  for (const k of o.keys) {
    const text = keyText(Object.fromEntries(table.key.map((c, i) => [c, k[i]])), table.key);
    if (seen.has(text)) continue;
    seen.add(text);
    // A key left out of the read now by nowOnly is not a delete: it is someone else's to publish.
    if (nowOnly && !is.has(text)) continue;
    const b = was.get(text);
    const a = is.get(text);
    if (layout && b && a) {
      const pick = (r: Record<string, unknown>) => Object.fromEntries(layout.common.map((c) => [c, r[c]]));
      if (layout.added || rowChange(pick(b), pick(a))) out.push({ op: 'update', before: null, after: a });
      continue;
    }
    const c = rowChange(b, a);
    if (c) out.push(c);
  }
  return out;
}
