import { structureAttributes } from '../definition/structure-attributes.ts';
import { type ColumnCodec, codecFor } from './column-codecs.ts';
import { avroDefault, type ColumnDefault } from './column-default.ts';
import { SOURCE_SCHEMA, TRANSACTION_SCHEMA } from './fixed-schemas.ts';
import type { ColumnDef, TableSchema } from './table-schema.ts';

/** One column as it appears in Avro: its field name (Avro-safe) and its codec. */
export interface FieldMapping {
  column: ColumnDef;
  field: string;
  codec: ColumnCodec;
}

export interface TableAvro {
  keySchema: Record<string, unknown>;
  valueSchema: Record<string, unknown>;
  fields: FieldMapping[];
  keyFields: FieldMapping[];
}

/** Avro names allow [A-Za-z_][A-Za-z0-9_]*; other characters become '_' (Debezium's "avro" adjustment). */
export function avroName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

/** The default of a value field: `sluice.default` (text, hex or expression; null for DEFAULT NULL) and its kind. */
function defaultAttributes(d: ColumnDefault | undefined): Record<string, unknown> {
  if (!d) return {};
  const text = d.kind === 'null' ? null : d.kind === 'text' ? d.value : d.kind === 'bytes' ? d.hex : d.sql;
  return { 'sluice.default': text, 'sluice.defaultKind': d.kind };
}

/** A value field's comment and extras (AUTO_INCREMENT, ON UPDATE, generated), in a fixed key order. */
function columnAttributes(c: ColumnDef): Record<string, unknown> {
  const extra = {
    ...(c.autoIncrement ? { autoIncrement: true } : {}),
    ...(c.onUpdate ? { onUpdate: c.onUpdate } : {}),
    ...(c.generated ? { generated: { expression: c.generated.expression, stored: c.generated.stored } } : {}),
  };
  return {
    ...(c.comment ? { 'sluice.comment': c.comment } : {}),
    ...(Object.keys(extra).length ? { 'sluice.extra': extra } : {}),
  };
}

/** The value old rows got when the column was added, if not its default (`sluice.fill`, `sluice.fillKind`). */
function fillAttributes(d: ColumnDefault | undefined): Record<string, unknown> {
  const a = defaultAttributes(d);
  return d ? { 'sluice.fill': a['sluice.default'], 'sluice.fillKind': a['sluice.defaultKind'] } : {};
}

/**
 * The per-table key and value schemas (Debezium layout: `<ns>.Key`, `<ns>.Value`,
 * `<ns>.Envelope`). Each field carries `sluice.column` (the real column name) and
 * `sluice.sqlType` (the source column type) so that a sink can create the target table and map
 * Avro back to columns from the registry alone. Value fields also carry the column's default;
 * the row record carries the rename history (`sluice.renames`) and the rest of the table's
 * definition (`sluice.indexes`, `sluice.tableOptions`, `sluice.partitioning`; value fields
 * `sluice.comment` and `sluice.extra`). Key fields carry none of these, so the key schema of a
 * table does not change with them.
 */
export function buildTableAvro(prefix: string, t: TableSchema): TableAvro {
  const namespace = [prefix, t.database, t.table].map(avroName).join('.');
  const used = new Set<string>();
  const fields = t.columns.map((column) => {
    let field = avroName(column.name);
    while (used.has(field)) field = `${field}_`;
    used.add(field);
    return { column, field, codec: codecFor(column.sqlType) };
  });
  const byName = new Map(fields.map((f) => [f.column.name, f]));
  const keyFields = t.primaryKey.map((k) => {
    const f = byName.get(k);
    if (!f) throw new Error(`key column ${k} is not a column of ${t.database}.${t.table}`);
    return f;
  });
  const avroField = (f: FieldMapping, optional: boolean) => ({
    name: f.field,
    type: optional ? ['null', f.codec.avro] : f.codec.avro,
    ...(optional ? { default: null } : {}),
    'sluice.column': f.column.name,
    'sluice.sqlType': f.column.sqlType,
    ...(f.column.charset ? { 'sluice.charset': f.column.charset } : {}),
    ...(f.column.collation ? { 'sluice.collation': f.column.collation } : {}),
  });
  // A union's Avro default must be its first branch (null): nullable fields keep default null,
  // NOT NULL fields get the column's default where it converts exactly (column-default.ts).
  const valueField = (f: FieldMapping) => {
    const plain = avroField(f, f.column.nullable);
    const exact = f.column.nullable ? undefined : avroDefault(f.column.sqlType, f.column.default);
    return {
      ...plain,
      ...(exact ? { default: exact.value } : {}),
      ...defaultAttributes(f.column.default),
      ...fillAttributes(f.column.fill),
      ...(f.column.unknown?.length ? { 'sluice.unknown': f.column.unknown } : {}),
      ...columnAttributes(f.column),
    };
  };
  const renames = t.renames && Object.keys(t.renames).length ? { 'sluice.renames': t.renames } : {};
  const keySchema = {
    type: 'record',
    name: 'Key',
    namespace,
    fields: keyFields.map((f) => avroField(f, false)),
  };
  const valueRecord = {
    type: 'record',
    name: 'Value',
    fields: fields.map(valueField),
    'sluice.database': t.database,
    'sluice.table': t.table,
    'sluice.primaryKey': t.primaryKey,
    ...renames,
    ...(t.pastLayout ? { 'sluice.pastLayout': true } : {}),
    ...(t.structure ? structureAttributes(t.structure) : {}),
  };
  const valueSchema = {
    type: 'record',
    name: 'Envelope',
    namespace,
    'connect.name': `${namespace}.Envelope`,
    fields: [
      { name: 'before', type: ['null', valueRecord], default: null },
      { name: 'after', type: ['null', 'Value'], default: null },
      { name: 'source', type: SOURCE_SCHEMA },
      { name: 'op', type: 'string' },
      { name: 'ts_ms', type: ['null', 'long'], default: null },
      { name: 'transaction', type: ['null', TRANSACTION_SCHEMA], default: null },
    ],
  };
  return { keySchema, valueSchema, fields, keyFields };
}
