import { type OutgoingRecord, type Registry, SluiceError } from '@sluice/core';
import type { TableChange } from '../event/transaction-assembler.ts';
import { describeKey, type RecordLimits } from '../publish/record-limits.ts';

/**
 * Key and value of each change as Confluent-framed Avro; a tombstone has a null value. A key
 * with a NULL column (a declared key over a nullable column) and a record over the size ceiling
 * stop capture naming the table and the row: publishing either would lose or stall the row.
 */
export async function encodeChanges(
  registry: Registry,
  changes: TableChange[],
  limits?: RecordLimits,
): Promise<{ topic: string; message: OutgoingRecord }[]> {
  const out: { topic: string; message: OutgoingRecord }[] = [];
  for (const { table, change } of changes) {
    for (const f of table.avro.keyFields) {
      if (change.key[f.field] !== null && change.key[f.field] !== undefined) continue;
      throw new SluiceError(
        'KEY_NULL',
        `a row of ${table.source.database}.${table.source.table} has NULL in key column ${f.column.name} ` +
          `(key ${describeKey(change.key)}): its changes cannot be keyed; make the key columns NOT NULL on the source, ` +
          'or declare another key (keys:) over NOT NULL columns',
      );
    }
    const key = registry.encodeSync(table.keyId, change.key) ?? (await registry.encode(table.keyId, change.key));
    const value = change.value
      ? (registry.encodeSync(table.valueId, change.value) ?? (await registry.encode(table.valueId, change.value)))
      : null;
    const message = { key, value };
    limits?.check(table.source, change.key, message);
    out.push({ topic: table.topic, message });
  }
  await limits?.fit(out);
  return out;
}
