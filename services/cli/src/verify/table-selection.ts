import { TableFilter } from '@sluice/capture/src/source/table-filter.ts';
import { tableKey } from '@sluice/core';
import { type Route, Router } from '@sluice/sink/src/route/router.ts';

export interface TableName {
  database: string;
  table: string;
}

/** A source table and the target table the sink writes it to; `skip` says why it is not compared. */
export interface TablePair {
  source: TableName;
  target: TableName;
  skip?: string;
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/**
 * Which source tables verify compares, and with which target table: `--tables` patterns and the
 * capture's include/exclude (both must match when both are given), mapped by the sink's routes
 * (first match wins, as in the sink). A target table fed by several source tables (a shard
 * merge) holds rows of all of them, so no single source table can be compared with it: skipped.
 */
export function selectTables(
  all: TableName[],
  opts: { patterns: string[]; capture?: { include: string[]; exclude: string[] }; routes: Route[] },
): TablePair[] {
  const byFlag = opts.patterns.length ? new TableFilter({ include: opts.patterns, exclude: [] }) : undefined;
  const byCapture = opts.capture ? new TableFilter(opts.capture) : undefined;
  const router = new Router(opts.routes);
  const captured = all.filter(
    (t) =>
      byCapture?.matches(t.database, t.table) ?? new TableFilter({ include: ['*.*'], exclude: [] }).matches(t.database, t.table),
  );
  const fedBy = new Map<string, number>();
  const pairs = captured.map((t) => {
    const { database, table } = router.name(t.database, t.table);
    const target = { database, table };
    const name = tableKey(target.database, target.table);
    fedBy.set(name, (fedBy.get(name) ?? 0) + 1);
    return { source: t, target };
  });
  return pairs
    .filter((p) => byFlag?.matches(p.source.database, p.source.table) ?? true)
    .map((p) => {
      const n = fedBy.get(tableKey(p.target.database, p.target.table)) ?? 1;
      return n > 1
        ? { ...p, skip: `the target table merges ${n} source tables (shard merge); compare the merged table by hand` }
        : p;
    });
}

/** Columns capture does not publish as they are: excluded, or masked (an HMAC of the value). */
export function columnRules(
  rules: { exclude: string[]; mask: string[] } | undefined,
): (t: TableName, column: string) => string | undefined {
  const exclude = (rules?.exclude ?? []).map(globToRegExp);
  const mask = (rules?.mask ?? []).map(globToRegExp);
  return (t, column) => {
    const name = `${t.database}.${t.table}.${column}`;
    if (exclude.some((r) => r.test(name))) return 'excluded from capture';
    if (mask.some((r) => r.test(name))) return 'masked by capture';
    return undefined;
  };
}
