import { globToRegExp } from '@sluice/core';
import type { TargetTable } from '../decode/target-table.ts';

/** `from` and `to` are `db.table` patterns; `*` in `to` takes what the `*` of `from` matched, in order. */
export interface Route {
  from: string;
  to: string;
}

interface Compiled {
  re: RegExp;
  to: string;
  /** `to` keeps fewer of the wildcards than `from` has: several source tables can land in one target. */
  merges: boolean;
}

const wildcards = (s: string, re: RegExp) => s.match(re)?.length ?? 0;
const compile = (r: Route): Compiled => ({
  re: globToRegExp(r.from),
  to: r.to,
  merges: wildcards(r.from, /[*?]/g) > wildcards(r.to, /\*/g),
});

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
    const full = `${database}.${table}`;
    for (const r of this.routes) {
      const m = r.re.exec(full);
      if (!m) continue;
      let i = 1;
      const mapped = r.to.replace(/\*/g, () => m[i++] ?? '');
      const dot = mapped.indexOf('.');
      return { database: mapped.slice(0, dot), table: mapped.slice(dot + 1), merged: r.merges };
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
