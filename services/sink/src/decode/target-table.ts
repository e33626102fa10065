import { type ColumnCodec, codecFor, SluiceError } from '@sluice/core';

/** A table as the sink writes it: columns in order, with how to turn Avro values into SQL parameters. */
export interface TargetColumn {
  name: string;
  field: string;
  sqlType: string;
  nullable: boolean;
  charset: string | null;
  collation: string | null;
  codec: ColumnCodec;
}

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
  return {
    database,
    table,
    columns,
    key,
    keyIndexes,
    id: JSON.stringify([database, table, columns.map((c) => [c.name, c.sqlType])]),
  };
}
