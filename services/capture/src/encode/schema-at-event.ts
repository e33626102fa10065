import { type ColumnDef, parseSqlType, SluiceError, type TableSchema, type UnknownAttribute } from '@sluice/core';
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

// For these the binlog tells the declared length, which a later ALTER may change (VARCHAR(100) -> (20)).
const SIZED = new Set(['char', 'varchar', 'binary', 'varbinary']);

/** Same declared type where the binlog tells it: the lengths of sized strings too. */
export function sameDeclared(catalogType: string, binlogType: string): boolean {
  if (!sameEncoding(catalogType, binlogType)) return false;
  const a = base(catalogType);
  const b = base(binlogType);
  return !SIZED.has(b.name) || (a.name === b.name && a.args.join(',') === b.args.join(','));
}

// utf8 is utf8mb3 (MySQL before 8.0.30 and MariaDB before 10.6 print the old name).
const charsetName = (c: string): string => (c.toLowerCase() === 'utf8' ? 'utf8mb3' : c.toLowerCase());
const sameCharset = (a: string | null | undefined, b: string | null | undefined): boolean =>
  !a || !b || charsetName(a) === charsetName(b);

/**
 * A column of now, corrected by what the binlog tells of it as its row was written: declared
 * length, charset and nullability. Where one of those differs, now's default (and, with another
 * charset, its collation) may be of the later definition: they are `unknown`.
 */
function asWritten(current: ColumnDef, c: ColumnDef, nullsKnown: boolean): ColumnDef {
  const unknown = new Set<UnknownAttribute>();
  let col: ColumnDef = current;
  if (!sameDeclared(current.sqlType, c.sqlType)) {
    col = { ...col, sqlType: c.sqlType };
    unknown.add('default');
  }
  if (!sameCharset(current.charset, c.charset)) {
    const { collation: _later, ...rest } = col;
    col = { ...rest, charset: c.charset };
    unknown.add('default').add('collation');
  }
  if (nullsKnown && current.nullable !== c.nullable) {
    col = { ...col, nullable: c.nullable };
    unknown.add('default');
  }
  if (unknown.size === 0) return current;
  const { default: _later, ...rest } = col;
  return { ...rest, unknown: (['nullable', 'default', 'collation'] as const).filter((a) => unknown.has(a)) };
}

/**
 * The schema a rows event was written with. information_schema tells the schema of now; while
 * capture reads a backlog (or is only a little behind), a later ALTER may already have changed
 * it. The binlog's own metadata (binlog_row_metadata=FULL, and the TableMap's null bitmap)
 * describes the table as it was. Returns undefined when the table of now describes the event
 * (same names, encodings and nullability), else a schema built from the binlog, keeping the
 * columns of now where they did not change. The binlog tells neither defaults nor collations:
 * where it had to be used, a column lists them as `unknown`, and sinks keep the target's.
 */
export function schemaAtEvent(now: TableSchema, view: BinlogTableView | undefined): TableSchema | undefined {
  if (!view) return undefined;
  const nullsKnown = view.nullability === true;
  const same =
    view.columns.length === now.columns.length &&
    view.columns.every((c, i) => {
      const n = now.columns[i];
      return (
        c.name === n?.name &&
        sameDeclared(n.sqlType, c.sqlType) &&
        sameCharset(n.charset, c.charset) &&
        (!nullsKnown || c.nullable === n.nullable || isKey(now, c.name))
      );
    });
  if (same) return undefined;
  const byName = new Map(now.columns.map((c) => [c.name, c]));
  const columns: ColumnDef[] = view.columns.map((c) => {
    const current = byName.get(c.name);
    if (current && sameEncoding(current.sqlType, c.sqlType)) return asWritten(current, c, nullsKnown && !isKey(now, c.name));
    const { collation: _none, ...binlog } = c;
    return { ...binlog, unknown: nullsKnown ? ['default', 'collation'] : ['nullable', 'default', 'collation'] };
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
  // Indexes and options of now may name columns the event's layout lacks: unknown here.
  const { structure: _now, ...table } = now;
  return { ...table, columns: columns.map((c) => (key.has(c.name) ? { ...c, nullable: false } : c)), primaryKey };
}

const isKey = (t: TableSchema, column: string): boolean => t.primaryKey.includes(column);
