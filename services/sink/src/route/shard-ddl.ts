import { tableArg } from '../apply/ddl-rejection.ts';
import type { SchemaDiff, TargetColumnInfo } from '../apply/schema-diff.ts';
import type { TargetColumn, TargetTable } from '../decode/target-table.ts';

/** One shard of a merged table: a source table routed there, with its latest layout (the registry's latest value schema). */
export interface ShardLayout {
  source: { database: string; table: string };
  table: TargetTable;
}

/**
 * What one shard's layout does to the merged table (DM's pessimistic mode for what is not
 * additive, optimistic for what is):
 * - `evolve`: run `diff` (possibly empty), then write the rows with the columns the table has.
 *   `kept` names columns the table keeps because shards still have them.
 * - `hold`: the shard's rows wait (its partitions pause and try again): the change is not additive
 *   and the shards in `behind` have not reached it.
 */
export type ShardStep =
  | { kind: 'evolve'; diff: SchemaDiff; kept: { column: string; shards: string[] }[] }
  | { kind: 'hold'; change: string; behind: string[] };

const lower = (s: string) => s.toLowerCase();
const shardName = (s: { database: string; table: string }) => `${s.database}.${s.table}`;

/** A layout's columns as the merged table follows them (names folded; table names and rename history left out). */
export function definitionOf(t: TargetTable): string {
  return JSON.stringify(t.columns.map((c) => [lower(c.name), c.sqlType, c.nullable, c.charset, c.collation, c.default ?? null]));
}

/** A column other shards' rows can be written without: NULL or a default fills it. */
const fillable = (c: { nullable?: boolean; default?: unknown }) => c.nullable !== false || c.default !== undefined;

/**
 * The step for layout `t` of shard `own` on a merged table with columns `target`, given `diff`
 * (diffSchema of a shared table: renames from the source's DDL, adds, modifies, no drops) and
 * every shard's latest layout (`shards`, `own` among them).
 *
 * - Every shard's latest layout has t's definition: the merged table becomes t (all of diff, and
 *   columns no shard has any more are dropped), once: the other shards' records then find nothing to do.
 * - Otherwise additive changes are made at once (optimistic): a column that NULL or a default
 *   fills, which the shard still has in its latest layout (an older layout's column the shard has
 *   since dropped is not brought back). A column no shard has any more is dropped.
 * - A rename, a changed column, or a new column nothing fills, in the shard's latest layout,
 *   waits for the shards whose latest layout differs: `hold`. In an older layout of the shard
 *   (a replay, a backlog) it is not made at all: the rows are written with the table's columns.
 * A column the table has and this layout lacks is not a reason to wait: it keeps its default.
 */
export function shardStep(
  t: TargetTable,
  target: TargetColumnInfo[],
  diff: SchemaDiff,
  shards: ShardLayout[],
  own: { database: string; table: string },
): ShardStep {
  const mine = shards.find((s) => s.source.database === own.database && s.source.table === own.table);
  const def = definitionOf(t);
  const latest = !mine || definitionOf(mine.table) === def;
  const behind = shards.filter((s) => definitionOf(s.table) !== def).map((s) => shardName(s.source));
  const renamedFrom = new Set(diff.rename.map((r) => lower(r.from)));
  const wanted = new Set(t.columns.map((c) => lower(c.name)));
  // Rows written before a later DDL (`pastLayout`) never drop a column: the table may be ahead.
  const past = t.pastLayout === true;
  const lacking = past ? [] : target.filter((c) => !wanted.has(lower(c.name)) && !renamedFrom.has(lower(c.name)));
  const holders = (column: string) =>
    shards.filter((s) => s.table.columns.some((c) => lower(c.name) === lower(column))).map((s) => shardName(s.source));
  if (latest && !behind.length) {
    return { kind: 'evolve', diff: { ...diff, drop: lacking.map((c) => c.name) }, kept: [] };
  }
  const stillHas = new Set((mine?.table.columns ?? t.columns).map((c) => lower(c.name)));
  const adds = diff.add.filter((c) => stillHas.has(lower(c.name)));
  const optimistic = adds.filter(fillable);
  const strict = adds.filter((c) => !fillable(c));
  // Rows without a column that nothing fills cannot be inserted while the table keeps it.
  const unfillable = lacking.filter((c) => !fillable(c) && holders(c.name).length);
  const waiting = [
    ...unfillable.map((c) => `drop column ${c.name} (NOT NULL without a default in the merged table)`),
    ...diff.rename.map((r) => `rename column ${r.from} to ${r.to}`),
    ...diff.modify.map((c) => `change column ${c.name}`),
    ...strict.map((c: TargetColumn) => `add column ${c.name} NOT NULL without a default`),
  ];
  if (latest && waiting.length) return { kind: 'hold', change: waiting.join(', '), behind };
  const drop: string[] = [];
  const kept: { column: string; shards: string[] }[] = [];
  for (const c of lacking) {
    const has = holders(c.name);
    if (has.length) kept.push({ column: c.name, shards: has });
    else drop.push(c.name);
  }
  return { kind: 'evolve', diff: { rename: [], add: optimistic, modify: [], drop }, kept };
}

/** The hold a shard waits in: which merged table, which shard, what change, which shards are not there yet, and the ways on. */
export function shardHoldMessage(
  sink: string,
  t: TargetTable,
  step: { change: string; behind: string[] },
  ddlId: string,
): string {
  const source = t.origin ? shardName(t.origin) : '?';
  return (
    `sink ${sink}: merged table ${t.database}.${t.table}: shard ${source} reached a change the merged table takes only once every shard has (${step.change}); ` +
    `shards not there yet: ${step.behind.join(', ')}. The rows of ${source} wait (its partitions pause and try again) while the other shards go on: ` +
    `run the same DDL on those shards, or sluice ddl skip --sink ${sink} --table '${tableArg(t)}' --id ${ddlId} and restart the sink to write them with the table's columns`
  );
}
