import { SluiceError } from '@sluice/core';

/** One column as a sluice value schema carries it. */
export interface ColumnMapping {
  column: string;
  /** The Avro field name (column names outside [A-Za-z0-9_] are adjusted). */
  field: string;
  /** The source COLUMN_TYPE (`sluice.sqlType`). */
  sqlType: string;
  /** The Avro type without the null branch, e.g. `long`, `bytes decimal(10,2)`, `int date`. */
  avroType: string;
  /** Debezium's semantic type (`connect.name`), if the type has one. */
  connectName: string | null;
  nullable: boolean;
  /** Position in the key (1-based) from `sluice.primaryKey`, or null. */
  key: number | null;
  charset: string | null;
  collation: string | null;
}

export interface TableMapping {
  database: string;
  table: string;
  primaryKey: string[];
  columns: ColumnMapping[];
}

type Field = Record<string, unknown> & { name: string; type: unknown };

/** The row record of a sluice envelope (the `before` branch: `after` refers to it by name). */
function rowRecord(valueSchema: Record<string, unknown>): Record<string, unknown> {
  const before = (valueSchema.fields as Field[] | undefined)?.find((f) => f.name === 'before');
  const record = Array.isArray(before?.type) ? (before.type as unknown[]).find((t) => typeof t === 'object' && t) : undefined;
  const r = record as Record<string, unknown> | undefined;
  if (!r || typeof r['sluice.database'] !== 'string' || !Array.isArray(r.fields)) {
    throw new SluiceError('DECODE_FAILED', 'value schema is not a sluice envelope (no sluice.database on the row record)');
  }
  return r;
}

const nonNull = (type: unknown): unknown[] => (Array.isArray(type) ? type.filter((t) => t !== 'null') : [type]);

/** An Avro type for people: the base type and its logical type. */
export function avroTypeText(type: unknown): string {
  const branches = nonNull(type);
  if (branches.length !== 1) return branches.map(avroTypeText).join(' | ');
  const t = branches[0];
  if (typeof t === 'string') return t;
  if (!t || typeof t !== 'object') return String(t);
  const o = t as Record<string, unknown>;
  const base = typeof o.type === 'string' ? o.type : avroTypeText(o.type);
  if (o.logicalType === 'decimal') return `${base} decimal(${o.precision},${o.scale ?? 0})`;
  return o.logicalType ? `${base} ${o.logicalType}` : base;
}

function connectName(type: unknown): string | null {
  const [t] = nonNull(type);
  const name = t && typeof t === 'object' ? (t as Record<string, unknown>)['connect.name'] : undefined;
  return typeof name === 'string' ? name : null;
}

/** The table a sluice value schema describes: columns with source and Avro types, nullability, key. Pure. */
export function tableMapping(valueSchema: Record<string, unknown>): TableMapping {
  const r = rowRecord(valueSchema);
  const primaryKey = Array.isArray(r['sluice.primaryKey']) ? (r['sluice.primaryKey'] as unknown[]).map(String) : [];
  const columns = (r.fields as Field[]).map((f): ColumnMapping => {
    const column = String(f['sluice.column'] ?? f.name);
    const k = primaryKey.indexOf(column);
    return {
      column,
      field: f.name,
      sqlType: String(f['sluice.sqlType'] ?? '?'),
      avroType: avroTypeText(f.type),
      connectName: connectName(f.type),
      nullable: Array.isArray(f.type) && f.type.includes('null'),
      key: k >= 0 ? k + 1 : null,
      charset: typeof f['sluice.charset'] === 'string' ? f['sluice.charset'] : null,
      collation: typeof f['sluice.collation'] === 'string' ? f['sluice.collation'] : null,
    };
  });
  return { database: String(r['sluice.database']), table: String(r['sluice.table'] ?? ''), primaryKey, columns };
}

/** The columns of a key schema, in key order. */
export const keyColumns = (keySchema: Record<string, unknown>): string[] =>
  ((keySchema.fields as Field[] | undefined) ?? []).map((f) => String(f['sluice.column'] ?? f.name));

/** What changed from one version to the next: `+ col type`, `- col`, `~ col old -> new`, key changes. */
export function schemaChanges(prev: TableMapping | undefined, cur: TableMapping): string[] {
  if (!prev) return [];
  const out: string[] = [];
  const before = new Map(prev.columns.map((c) => [c.column, c]));
  const after = new Map(cur.columns.map((c) => [c.column, c]));
  for (const c of cur.columns) {
    const p = before.get(c.column);
    if (!p) {
      out.push(`+ ${c.column} ${c.sqlType}${c.nullable ? '' : ' NOT NULL'}`);
      continue;
    }
    if (p.sqlType !== c.sqlType) out.push(`~ ${c.column} ${p.sqlType} -> ${c.sqlType}`);
    if (p.nullable !== c.nullable) out.push(`~ ${c.column} ${c.nullable ? 'NOT NULL -> NULL' : 'NULL -> NOT NULL'}`);
    if (p.charset !== c.charset || p.collation !== c.collation) {
      out.push(`~ ${c.column} ${p.collation ?? p.charset ?? '-'} -> ${c.collation ?? c.charset ?? '-'}`);
    }
  }
  for (const p of prev.columns) if (!after.has(p.column)) out.push(`- ${p.column}`);
  if (prev.primaryKey.join(',') !== cur.primaryKey.join(',')) {
    out.push(`key (${prev.primaryKey.join(', ')}) -> (${cur.primaryKey.join(', ')})`);
  }
  const order = (m: TableMapping) =>
    m.columns
      .map((c) => c.column)
      .filter((n) => before.has(n) && after.has(n))
      .join(',');
  if (!out.length && order(prev) !== order(cur)) out.push('column order changed');
  return out;
}
