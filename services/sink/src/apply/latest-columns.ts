import type { SchemaDiff } from './schema-diff.ts';

/** The columns of a source table's latest registered layout (decode/newest-renames.ts), if known. */
export type NewestColumns = (origin: { database: string; table: string }) => Promise<string[] | undefined>;

/**
 * A layout older than the target (a partition behind another, on a topic of several partitions:
 * its rows were written before a column was added, and read before the DDL, so not marked
 * `sluice.pastLayout`) must not take the target back: a target column the source's latest layout
 * still has is never dropped for it. Its rows are written without the column (it keeps its values;
 * new rows get its default, as the source's rows before the ADD got). A column the source dropped
 * for good is not in its latest layout and is dropped as before.
 */
export function keepLatestColumns(diff: SchemaDiff, latest: string[] | undefined): SchemaDiff {
  if (!latest?.length || !diff.drop.length) return diff;
  const has = new Set(latest.map((c) => c.toLowerCase()));
  const drop = diff.drop.filter((c) => !has.has(c.toLowerCase()));
  return drop.length === diff.drop.length ? diff : { ...diff, drop };
}
