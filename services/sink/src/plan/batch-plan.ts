import type { SqlParam } from '@sluice/core';
import type { Barrier, TargetChange } from '../decode/change-decoder.ts';
import type { TargetTable } from '../decode/target-table.ts';
import type { TableAction } from './table-action.ts';

/**
 * What one table gets from a batch: whether to empty it first (a TRUNCATE in the batch), then
 * keys to delete and rows to upsert (in order of their last change).
 */
export interface TablePlan {
  table: TargetTable;
  truncate: boolean;
  upserts: SqlParam[][];
  deletes: SqlParam[][];
  /** Source versions (source-version.ts), parallel to upserts and deletes; used by the stale-write guard. */
  upsertVersions?: string[];
  deleteVersions?: string[];
  /** Version of the TRUNCATE when truncate is set. */
  truncateVersion?: string;
  /** The source dropped the table (truncate is set too): drop the target table, then apply what follows. */
  drop?: boolean;
  /** A DDL marker's action (rename, partition statement), run in its place; no rows. */
  action?: TableAction;
  /** Source position of the group's first change: where a DDL the table needs comes from (ddl-decisions.ts). */
  position?: string;
  /**
   * The TRUNCATE, DROP or layout change waits for every partition of its topic (target-writer.ts
   * runs it once). A layout change's plan has no rows: the table follows its layout.
   */
  barrier?: Barrier;
}

/** A key as a Map key. Within one table layout a key column always has one type, so a lone text or number is its own identity. */
export const keyString = (key: SqlParam[]): string => {
  const v = key[0];
  if (key.length === 1 && (typeof v === 'string' || typeof v === 'number')) return String(v);
  return JSON.stringify(key.map((v) => (Buffer.isBuffer(v) ? `b:${v.toString('hex')}` : v)));
};

/**
 * Coalesces a batch in partition order (design contract 5): per table and key, the last change
 * wins; a delete removes the key. Replaying the batch, or any part of it, leaves the same state.
 */
export function planBatch(changes: TargetChange[]): TablePlan[] {
  type Group = {
    table: TargetTable;
    truncate: boolean;
    drop?: boolean;
    truncateVersion?: string;
    action?: TableAction;
    position?: string;
    barrier?: Barrier;
    last: Map<string, TargetChange>;
  };
  // Groups in order of first use. A layout change starts a new group (rows never mix column
  // lists) and closes the table's group of the layout before: a layout that comes back later
  // (a MODIFY undone) gets a new group after the one between, so that the table's DDL and rows
  // stay in source order. A TRUNCATE or DROP closes its table's open groups, so what follows is
  // planned after it.
  const groups: Group[] = [];
  const open = new Map<string, Group>(); // by layout id
  const current = new Map<string, string>(); // table -> layout id of its open group
  /** DDL or a TRUNCATE runs at its place: the table's open groups end, what follows goes after it. */
  const close = (n: { database: string; table: string }) => {
    for (const [id, g] of open) if (g.table.database === n.database && g.table.table === n.table) open.delete(id);
    current.delete(`${n.database}.${n.table}`);
  };
  for (const c of changes) {
    if (c.kind === 'skip') continue;
    if (c.kind === 'schema' && c.action) {
      // A rename or partition statement runs at its place: what follows is planned after it.
      const a = c.action;
      for (const n of a.kind === 'rename' ? [a.from, a.to] : [c.table]) close(n);
      groups.push({ table: c.table, truncate: false, action: a, last: new Map() });
      continue;
    }
    if (c.kind === 'truncate' || c.kind === 'drop') {
      const { database, table } = c.table;
      const same = (t: TargetTable) => t.database === database && t.table === table;
      // Everything before a TRUNCATE (or DROP) is moot: empty the table, then apply what follows.
      for (const g of groups) if (same(g.table)) g.last.clear();
      close(c.table);
      const g: Group = { table: c.table, truncate: true, drop: c.kind === 'drop', truncateVersion: c.version, last: new Map() };
      if (c.barrier) g.barrier = c.barrier;
      groups.push(g);
      continue;
    }
    const name = `${c.table.database}.${c.table.table}`;
    if (c.kind === 'schema' && c.barrier) {
      // A layout change every partition must reach first: its own group, what follows after it.
      close(c.table);
      groups.push({ table: c.table, truncate: false, position: c.position, barrier: c.barrier, last: new Map() });
      continue;
    }
    const before = current.get(name);
    if (before !== undefined && before !== c.table.id) open.delete(before);
    current.set(name, c.table.id);
    let g = open.get(c.table.id);
    if (!g) {
      g = { table: c.table, truncate: false, position: c.position, last: new Map<string, TargetChange>() };
      groups.push(g);
      open.set(c.table.id, g);
    }
    // A DDL marker only makes the target follow its layout (the group does that): no row.
    if (c.kind === 'schema') continue;
    const k = keyString(c.key);
    g.last.delete(k); // re-insert so that Map order is the order of last change
    g.last.set(k, c);
  }
  return groups.map(({ table, truncate, drop, truncateVersion, action, position, barrier, last }) => {
    const plan: TablePlan = {
      table,
      truncate,
      upserts: [],
      deletes: [],
      upsertVersions: [],
      deleteVersions: [],
      truncateVersion,
    };
    if (drop) plan.drop = true;
    if (action) plan.action = action;
    if (position) plan.position = position;
    if (barrier) plan.barrier = barrier;
    for (const c of last.values()) {
      if (c.kind === 'upsert') {
        plan.upserts.push(c.row);
        plan.upsertVersions?.push(c.version);
      } else if (c.kind === 'delete') {
        plan.deletes.push(c.key);
        plan.deleteVersions?.push(c.version);
      }
    }
    return plan;
  });
}
