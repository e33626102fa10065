import { structureFromAttributes } from '../definition/structure-attributes.ts';
import { SluiceError } from '../errors.ts';
import type { ColumnDefault } from './column-default.ts';
import type { ColumnDef, TableSchema, UnknownAttribute } from './table-schema.ts';

type AvroField = Record<string, unknown> & { name: string; type: unknown };

/** A table read back out of a sluice value schema, with each column's Avro field name (in column order). */
export interface PublishedTable {
  table: TableSchema;
  fields: string[];
}

/**
 * The table a sluice value schema was built from (buildTableAvro's inverse): the envelope's
 * `before` record, whose fields carry `sluice.column`, `sluice.sqlType` and the column's
 * attributes, and whose record carries the table's key, rename history and structure. Pure.
 */
export function tableFromValueSchema(valueSchema: Record<string, unknown>): PublishedTable {
  const fields = valueSchema.fields as AvroField[] | undefined;
  const before = fields?.find((f) => f.name === 'before');
  const record = Array.isArray(before?.type) ? (before.type as unknown[]).find((t) => typeof t === 'object' && t) : undefined;
  const r = record as Record<string, unknown> | undefined;
  if (!r || typeof r['sluice.database'] !== 'string' || !Array.isArray(r.fields)) {
    throw new SluiceError('DECODE_FAILED', 'value schema is not a sluice envelope (no sluice.database on the row record)');
  }
  const avroFields = r.fields as AvroField[];
  const columns = avroFields.map(
    (f): ColumnDef => ({
      name: String(f['sluice.column'] ?? f.name),
      sqlType: String(f['sluice.sqlType']),
      nullable: Array.isArray(f.type) && (f.type as unknown[]).includes('null'),
      charset: (f['sluice.charset'] as string) ?? null,
      collation: (f['sluice.collation'] as string) ?? null,
      ...defaultOf(f),
      ...unknownOf(f),
      ...extrasOf(f),
    }),
  );
  const names = new Set(columns.map((c) => c.name));
  const primaryKey = (r['sluice.primaryKey'] as string[] | undefined) ?? [];
  for (const k of primaryKey) {
    if (!names.has(k)) throw new SluiceError('DECODE_FAILED', `key column ${k} missing from the value schema`);
  }
  const structure = structureFromAttributes(r);
  const renames = r['sluice.renames'];
  const table: TableSchema = {
    database: r['sluice.database'] as string,
    table: r['sluice.table'] as string,
    columns,
    primaryKey,
    ...(renames && typeof renames === 'object' ? { renames: renames as Record<string, string[]> } : {}),
    ...(r['sluice.pastLayout'] === true ? { pastLayout: true } : {}),
    ...(structure ? { structure } : {}),
  };
  return { table, fields: avroFields.map((f) => f.name) };
}

/** A field's comment and extras (`sluice.comment`, `sluice.extra`), what has the expected shape. */
function extrasOf(f: AvroField): Pick<ColumnDef, 'comment' | 'autoIncrement' | 'onUpdate' | 'generated'> {
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
