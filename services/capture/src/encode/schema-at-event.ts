import { type ColumnDef, parseSqlType, SluiceError, type TableSchema } from '@sluice/core';
import type { BinlogTableView } from '../source/binlog-reader.ts';

const ALIASES: Record<string, string> = {
  integer: 'int',
  numeric: 'decimal',
  real: 'double',
  bool: 'tinyint',
  boolean: 'tinyint',
  // MySQL 8 (and zongji's binlog names) say geomcollection, MariaDB geometrycollection.
  geomcollection: 'geometrycollection',
};
const base = (t: string) => {
  const p = parseSqlType(t);
  return { name: ALIASES[p.base] ?? p.base, args: p.args, unsigned: p.unsigned };
};
// For these types the arguments change the value's encoding (scale, fractional digits).
const ARGS_MATTER = new Set(['decimal', 'datetime', 'timestamp', 'time', 'bit']);
const TEXTUAL = /^(char|varchar|tinytext|text|mediumtext|longtext|binary|varbinary|tinyblob|blob|mediumblob|longblob)$/;

/** Same encoding: same base type and signedness, and the same arguments where they matter. */
export function sameEncoding(catalogType: string, binlogType: string): boolean {
  const a = base(catalogType);
  const b = base(binlogType);
  if (TEXTUAL.test(a.name) && TEXTUAL.test(b.name)) return /blob|binary/.test(a.name) === /blob|binary/.test(b.name);
  if (a.name !== b.name || a.unsigned !== b.unsigned) return false;
  return !ARGS_MATTER.has(a.name) || a.args.join(',') === b.args.join(',');
}

/**
 * The schema a rows event was written with. information_schema tells the schema of now; while
 * capture reads a backlog, a later ALTER may already have changed it. The binlog's own metadata
 * (binlog_row_metadata=FULL) describes the table as it was. Returns undefined when the table of
 * now encodes the event the same way, else a schema built from the binlog, keeping the exact
 * columns of now for the columns that did not change. The binlog tells neither nullability nor
 * defaults nor collations: the other columns are marked `approximate`, and sinks keep what
 * their target has for those (docs/architecture.md, schema evolution).
 */
export function schemaAtEvent(now: TableSchema, view: BinlogTableView | undefined): TableSchema | undefined {
  if (!view) return undefined;
  const same =
    view.columns.length === now.columns.length &&
    view.columns.every((c, i) => c.name === now.columns[i]?.name && sameEncoding(now.columns[i]?.sqlType ?? '', c.sqlType));
  if (same) return undefined;
  const byName = new Map(now.columns.map((c) => [c.name, c]));
  const columns: ColumnDef[] = view.columns.map((c) => {
    const current = byName.get(c.name);
    return current && sameEncoding(current.sqlType, c.sqlType) ? current : { ...c, approximate: true };
  });
  const names = new Set(columns.map((c) => c.name));
  const primaryKey = view.primaryKey ?? (now.primaryKey.every((k) => names.has(k)) ? now.primaryKey : undefined);
  if (!primaryKey?.length) {
    throw new SluiceError(
      'SOURCE_TABLE_UNSUPPORTED',
      `rows of ${now.database}.${now.table} were written with a layout whose key is unknown (binlog metadata has none)`,
    );
  }
  const key = new Set(primaryKey);
  return { ...now, columns: columns.map((c) => (key.has(c.name) ? { ...c, nullable: false } : c)), primaryKey };
}
