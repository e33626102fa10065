import { globToRegExp } from '@sluice/core';
import type { TargetTable } from '../decode/target-table.ts';

/** `from` and `to` are `db.table` patterns; `*` in `to` takes what the `*` of `from` matched, in order. */
export interface Route {
  from: string;
  to: string;
}

interface Compiled {
  db: RegExp;
  table: RegExp;
  toDb: string;
  toTable: string;
  /** `to` keeps fewer of the wildcards than `from` has: several source tables can land in one target. */
  merges: boolean;
}

const wildcards = (s: string, re: RegExp) => s.match(re)?.length ?? 0;
/** A `<db>.<table>` pattern's two parts (config allows one dot; the part after it is the table's). */
const parts = (pattern: string): [string, string] => {
  const dot = pattern.indexOf('.');
  return dot < 0 ? [pattern, '*'] : [pattern.slice(0, dot), pattern.slice(dot + 1)];
};
const compile = (r: Route): Compiled => {
  const [db, table] = parts(r.from);
  const [toDb, toTable] = parts(r.to);
  return {
    db: globToRegExp(db),
    table: globToRegExp(table),
    toDb,
    toTable,
    merges: wildcards(r.from, /[*?]/g) > wildcards(r.to, /\*/g),
  };
};

/**
 * Maps source tables to target tables: renames (`src.* -> dst.*`) and shard merges
 * (`shop.orders_* -> shop.orders`). The first matching route wins; unmatched tables keep their
 * names. Merging shards relies on keys being unique across them (see docs/routing.md).
 */
export class Router {
  private readonly routes: Compiled[];
  private readonly cache = new Map<string, TargetTable>();

  constructor(routes: Route[]) {
    this.routes = routes.map(compile);
  }

  name(database: string, table: string): { database: string; table: string; merged?: boolean } {
    // Database and table are matched and mapped apart: joined, a wildcard could take a dot of a
    // name, and the target would be split at the wrong one.
    for (const r of this.routes) {
      const d = r.db.exec(database);
      const t = d && r.table.exec(table);
      if (!d || !t) continue;
      const taken = [...d.slice(1), ...t.slice(1)];
      let i = 0;
      const fill = (to: string) => to.replace(/\*/g, () => taken[i++] ?? '');
      const db = fill(r.toDb);
      return { database: db, table: fill(r.toTable), merged: r.merges };
    }
    return { database, table };
  }

  /** The target table for a source table layout (cached by layout id). */
  route(t: TargetTable): TargetTable {
    let hit = this.cache.get(t.id);
    if (!hit) {
      const { database, table, merged } = this.name(t.database, t.table);
      hit =
        database === t.database && table === t.table && !merged
          ? t
          : { ...t, database, table, id: `${t.id}->${database}.${table}`, shared: merged };
      this.cache.set(t.id, hit);
    }
    return hit;
  }
}
