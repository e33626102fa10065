import type { Registry } from '@sluice/core';
import type { Message } from 'kafkajs';
import type { TableChange } from '../event/transaction-assembler.ts';

/** Key and value of each change as Confluent-framed Avro; a tombstone has a null value. */
export async function encodeChanges(registry: Registry, changes: TableChange[]): Promise<{ topic: string; message: Message }[]> {
  const out: { topic: string; message: Message }[] = [];
  for (const { table, change } of changes) {
    const key = registry.encodeSync(table.keyId, change.key) ?? (await registry.encode(table.keyId, change.key));
    const value = change.value
      ? (registry.encodeSync(table.valueId, change.value) ?? (await registry.encode(table.valueId, change.value)))
      : null;
    out.push({ topic: table.topic, message: { key, value } });
  }
  return out;
}
