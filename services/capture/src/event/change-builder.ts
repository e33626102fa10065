import type { AvroRow, ChangeEnvelope, FieldMapping, Op, SourceBlock, TableAvro, TableSchema } from '@sluice/core';

/** One record for Kafka: the key row and the envelope, or null for a tombstone. */
export interface KeyedChange {
  key: AvroRow;
  value: ChangeEnvelope | null;
}

export type RowImage = Record<string, unknown>;

/** Converts a binlog row image (column name -> zongji value) to its Avro form. */
export function toAvroRow(fields: FieldMapping[], row: RowImage): AvroRow {
  const out: AvroRow = {};
  for (const f of fields) {
    const v = row[f.column.name];
    out[f.field] = v === null || v === undefined ? null : f.codec.toAvro(v);
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

export const keyOf = (keyFields: FieldMapping[], row: AvroRow): AvroRow =>
  Object.fromEntries(keyFields.map((f) => [f.field, row[f.field]]));

/**
 * The records of one row change (design contract 2). An update that changes the key becomes a
 * delete of the old key followed by a create of the new one, so each key's history stays in one
 * partition; with compacted topics a delete is followed by a tombstone.
 */
export function buildChanges(opts: {
  op: 'insert' | 'update' | 'delete';
  before: RowImage | null;
  after: RowImage | null;
  table: TableSchema;
  avro: TableAvro;
  source: SourceBlock;
  tombstones: boolean;
  now: number;
}): KeyedChange[] {
  const { avro, source } = opts;
  const before = opts.before ? toAvroRow(avro.fields, opts.before) : null;
  const after = opts.after ? toAvroRow(avro.fields, opts.after) : null;
  const env = (op: Op, b: AvroRow | null, a: AvroRow | null): ChangeEnvelope => ({
    before: b,
    after: a,
    source,
    op,
    ts_ms: opts.now,
    transaction: null,
  });
  const deleted = (row: AvroRow): KeyedChange[] => {
    const key = keyOf(avro.keyFields, row);
    return opts.tombstones
      ? [
          { key, value: env('d', row, null) },
          { key, value: null },
        ]
      : [{ key, value: env('d', row, null) }];
  };
  if (opts.op === 'insert' && after) return [{ key: keyOf(avro.keyFields, after), value: env('c', null, after) }];
  if (opts.op === 'delete' && before) return deleted(before);
  // A query capture's row read across a layout change: the state after, no before image to compare.
  if (opts.op === 'update' && !before && after) return [{ key: keyOf(avro.keyFields, after), value: env('u', null, after) }];
  if (opts.op === 'update' && before && after) {
    const keyChanged = avro.keyFields.some((f) => !sameValue(before[f.field], after[f.field]));
    if (!keyChanged) return [{ key: keyOf(avro.keyFields, after), value: env('u', before, after) }];
    return [...deleted(before), { key: keyOf(avro.keyFields, after), value: env('c', null, after) }];
  }
  throw new Error(`malformed ${opts.op} row for ${opts.table.database}.${opts.table.table}`);
}

/** Where the numbering of a transaction's events stands (it may be published in several parts). */
export interface TransactionOrder {
  total: number;
  perTopic: Map<string, number>;
}

export const newOrder = (): TransactionOrder => ({ total: 0, perTopic: new Map() });

/** Fills the Debezium transaction block: order in the transaction and among the table's events. */
export function numberTransaction(
  id: string,
  changes: { topic: string; change: KeyedChange }[],
  order: TransactionOrder = newOrder(),
): void {
  for (const { topic, change } of changes) {
    if (!change.value) continue;
    order.total += 1;
    const n = (order.perTopic.get(topic) ?? 0) + 1;
    order.perTopic.set(topic, n);
    change.value.transaction = { id, total_order: order.total, data_collection_order: n };
  }
}
