import {
  type ColumnCodec,
  type ColumnDef,
  type ColumnDefault,
  codecFor,
  SluiceError,
  structureFromAttributes,
  type TableStructure,
  type UnknownAttribute,
} from '@sluice/core';

/** A table as the sink writes it: columns in order, with how to turn Avro values into SQL parameters. */
export interface TargetColumn {
  name: string;
  field: string;
  sqlType: string;
  nullable: boolean;
  charset: string | null;
  collation: string | null;
  codec: ColumnCodec;
  /** The source column's DEFAULT; undefined when it has none (or it is unknown). */
  default?: ColumnDefault;
  /** What the source's rows got when it added the column, where not `default` (a later DDL changed it). */
  fill?: ColumnDefault;
  /** Attributes the source did not know for this version (a backlog read from binlog metadata): the target's are kept. */
  unknown?: UnknownAttribute[];
  /** The source column's COMMENT, AUTO_INCREMENT, ON UPDATE and generation (`sluice.comment`, `sluice.extra`). */
  comment?: string;
  autoIncrement?: true;
  onUpdate?: string;
  generated?: ColumnDef['generated'];
}

/** Former names by current column name, most recent first (the schema's `sluice.renames`). */
export type RenameHistory = Record<string, string[]>;

export interface TargetTable {
  database: string;
  table: string;
  columns: TargetColumn[];
  key: TargetColumn[];
  /** Positions of the key columns in `columns`. */
  keyIndexes: number[];
  /** Identity of this column layout (database, table, columns): equal ids, same statements. */
  id: string;
  /** Several source tables merge into this one (a shard route): table-wide events of one source must not touch it. */
  shared?: boolean;
  /** The source's column renames (from its DDL), to rename target columns instead of dropping and adding them. */
  renames?: RenameHistory;
  /** The source table (routes change database and table). */
  origin?: { database: string; table: string };
  /** Rows written before a later DDL (`sluice.pastLayout`): the target may be ahead, so no column is dropped for it. */
  pastLayout?: boolean;
  /** The source table's indexes, options and partitioning; undefined when the version does not say (the target's are kept). */
  structure?: TableStructure;
}

type AvroField = Record<string, unknown> & { name: string; type: unknown };

/**
 * Reads the table layout out of a sluice value schema (the envelope's `before` record, whose
 * fields carry `sluice.column` and `sluice.sqlType`). Pure: no registry, no I/O.
 */
export function targetTableFromSchema(valueSchema: Record<string, unknown>): TargetTable {
  const fields = valueSchema.fields as AvroField[] | undefined;
  const before = fields?.find((f) => f.name === 'before');
  const record = Array.isArray(before?.type) ? (before.type as unknown[]).find((t) => typeof t === 'object' && t) : undefined;
  const r = record as Record<string, unknown> | undefined;
  if (!r || typeof r['sluice.database'] !== 'string' || !Array.isArray(r.fields)) {
    throw new SluiceError('DECODE_FAILED', 'value schema is not a sluice envelope (no sluice.database on the row record)');
  }
  const columns = (r.fields as AvroField[]).map((f): TargetColumn => {
    const sqlType = String(f['sluice.sqlType']);
    return {
      name: String(f['sluice.column'] ?? f.name),
      field: f.name,
      sqlType,
      nullable: Array.isArray(f.type) && (f.type as unknown[]).includes('null'),
      charset: (f['sluice.charset'] as string) ?? null,
      collation: (f['sluice.collation'] as string) ?? null,
      codec: codecFor(sqlType),
      ...defaultOf(f),
      ...unknownOf(f),
      ...extrasOf(f),
    };
  });
  const byName = new Map(columns.map((c) => [c.name, c]));
  const key = (r['sluice.primaryKey'] as string[]).map((k) => {
    const c = byName.get(k);
    if (!c) throw new SluiceError('DECODE_FAILED', `key column ${k} missing from the value schema`);
    return c;
  });
  const database = r['sluice.database'] as string;
  const table = r['sluice.table'] as string;
  const keyIndexes = key.map((k) => columns.indexOf(k));
  const renames = (r['sluice.renames'] ?? {}) as RenameHistory;
  const structure = structureFromAttributes(r);
  return {
    database,
    table,
    columns,
    key,
    keyIndexes,
    // Everything the target's DDL follows: a version that differs only in a default is another layout.
    id: JSON.stringify([
      database,
      table,
      columns.map((c) => [
        c.name,
        c.sqlType,
        c.nullable,
        c.charset,
        c.collation,
        c.default ?? null,
        c.fill ?? null,
        c.unknown ?? [],
        c.comment ?? '',
        !!c.autoIncrement,
        c.onUpdate ?? '',
      ]),
      renames,
      structure ?? null,
      r['sluice.pastLayout'] === true,
    ]),
    renames,
    origin: { database, table },
    ...(structure ? { structure } : {}),
    ...(r['sluice.pastLayout'] === true ? { pastLayout: true } : {}),
  };
}

/** A field's comment and extras (`sluice.comment`, `sluice.extra`), what has the expected shape. */
function extrasOf(f: AvroField): Pick<TargetColumn, 'comment' | 'autoIncrement' | 'onUpdate' | 'generated'> {
  const comment = f['sluice.comment'];
  const e = (f['sluice.extra'] ?? {}) as Record<string, unknown>;
  const g = e.generated as { expression?: unknown; stored?: unknown } | undefined;
  return {
    ...(typeof comment === 'string' && comment ? { comment } : {}),
    ...(e.autoIncrement === true ? { autoIncrement: true as const } : {}),
    ...(typeof e.onUpdate === 'string' ? { onUpdate: e.onUpdate } : {}),
    ...(g && typeof g.expression === 'string' ? { generated: { expression: g.expression, stored: g.stored === true } } : {}),
  };
}

const UNKNOWN = new Set<string>(['nullable', 'default', 'collation']);

/** The attributes a field says are unknown (`sluice.unknown`). */
function unknownOf(f: AvroField): { unknown?: UnknownAttribute[] } {
  const u = f['sluice.unknown'];
  const list = Array.isArray(u) ? (u.filter((a) => UNKNOWN.has(a)) as UnknownAttribute[]) : [];
  return list.length ? { unknown: list } : {};
}

/** The default a field carries (`sluice.default` + `sluice.defaultKind`), if any; and the fill of its old rows (`sluice.fill`). */
function defaultOf(f: AvroField): { default?: ColumnDefault; fill?: ColumnDefault } {
  const d = columnDefault(f['sluice.defaultKind'], f['sluice.default']);
  const fill = columnDefault(f['sluice.fillKind'], f['sluice.fill']);
  return { ...(d ? { default: d } : {}), ...(fill ? { fill } : {}) };
}

function columnDefault(kind: unknown, text: unknown): ColumnDefault | undefined {
  switch (kind) {
    case 'null':
      return { kind: 'null' };
    case 'text':
      return typeof text === 'string' ? { kind: 'text', value: text } : undefined;
    case 'bytes':
      return typeof text === 'string' && /^([0-9a-f]{2})*$/.test(text) ? { kind: 'bytes', hex: text } : undefined;
    case 'expression':
      return typeof text === 'string' ? { kind: 'expression', sql: text } : undefined;
    default:
      return undefined;
  }
}
