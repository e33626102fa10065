import { canonicalExpression } from '../avro/column-default.ts';
import type { ColumnDef } from '../avro/table-schema.ts';
import { canonicalPartitioning } from './partitioning.ts';
import type { IndexDef, TableOptions, TableStructure } from './table-definition.ts';

/** Integer display widths, `integer`, GEOMCOLLECTION and spacing are spelling, not type. */
export const canonicalType = (t: string): string =>
  t
    .toLowerCase()
    .replace(/^integer\b/, 'int')
    .replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, '$1')
    .replace(/^geomcollection$/, 'geometrycollection')
    .replace(/\s+/g, ' ')
    .trim();

/** utf8 is utf8mb3 (MySQL before 8.0.30 and MariaDB before 10.6 print the old name), and so are its collations. */
export const canonicalCharset = (c: string | null | undefined): string | undefined =>
  c ? c.toLowerCase().replace(/^utf8(?!mb)/, 'utf8mb3') : undefined;

/** An index as its meaning: names compare case-insensitively; the part list is ordered, so kept. */
export function canonicalIndex(i: IndexDef): string {
  const parts = i.parts.map((p) => [p.column.toLowerCase(), p.length ?? 0, p.desc ? 'desc' : 'asc', p.expression ?? '']);
  return JSON.stringify([i.kind, parts, i.comment ?? '']);
}

export function canonicalOptions(o: TableOptions): { comment: string; charset?: string; collation?: string } {
  return { comment: o.comment ?? '', charset: canonicalCharset(o.charset), collation: canonicalCharset(o.collation) };
}

/** The structure as comparable text per part: indexes by lower-case name, options, partitioning. */
export function canonicalStructure(s: TableStructure): { indexes: Map<string, string>; options: string; partitioning: string } {
  return {
    indexes: new Map(s.indexes.map((i) => [i.name.toLowerCase(), canonicalIndex(i)])),
    options: JSON.stringify(canonicalOptions(s.options)),
    partitioning: canonicalPartitioning(s.partitioning) ?? '',
  };
}

/** A column's extras as comparable text: comment, AUTO_INCREMENT, ON UPDATE (generated columns are stored as plain ones). */
export function canonicalExtras(c: Pick<ColumnDef, 'comment' | 'autoIncrement' | 'onUpdate'>): string {
  return JSON.stringify([c.comment ?? '', !!c.autoIncrement, c.onUpdate ? canonicalExpression(c.onUpdate) : '']);
}
