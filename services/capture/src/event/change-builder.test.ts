import { buildTableAvro, type SourceBlock, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { buildChanges, numberTransaction } from './change-builder.ts';

const table: TableSchema = {
  database: 'shop',
  table: 'items',
  columns: [
    { name: 'id', sqlType: 'int(11)', nullable: false },
    { name: 'qty', sqlType: 'bigint(20)', nullable: true },
  ],
  primaryKey: ['id'],
};
const avro = buildTableAvro('sluice', table);
const source = { db: 'shop', table: 'items' } as SourceBlock;
const build = (op: 'insert' | 'update' | 'delete', before: object | null, after: object | null, tombstones = true) =>
  buildChanges({ op, before: before as never, after: after as never, table, avro, source, tombstones, now: 1 });

describe('buildChanges', () => {
  it('insert -> c keyed by the primary key, values in Avro form', () => {
    const [c] = build('insert', null, { id: 7, qty: '9007199254740993' });
    expect(c?.key).toEqual({ id: 7 });
    expect(c?.value?.op).toBe('c');
    expect(c?.value?.after).toEqual({ id: 7, qty: 9007199254740993n });
  });

  it('update keeping the key -> one u with before and after', () => {
    const out = build('update', { id: 7, qty: 1 }, { id: 7, qty: 2 });
    expect(out.map((c) => c.value?.op)).toEqual(['u']);
    // A BIGINT within 2^53 stays a number (the same Avro long as the bigint); beyond, a bigint (above).
    expect(out[0]?.value?.before).toEqual({ id: 7, qty: 1 });
  });

  it('update changing the key -> d of the old key, tombstone, c of the new key', () => {
    const out = build('update', { id: 7, qty: 1 }, { id: 8, qty: 1 });
    expect(out.map((c) => [c.key, c.value?.op ?? null])).toEqual([
      [{ id: 7 }, 'd'],
      [{ id: 7 }, null],
      [{ id: 8 }, 'c'],
    ]);
  });

  it('delete without compaction has no tombstone', () => {
    expect(build('delete', { id: 7, qty: null }, null, false).map((c) => c.value?.op)).toEqual(['d']);
  });

  it('numbers events in the transaction and per table, skipping tombstones', () => {
    const a = build('update', { id: 1, qty: 1 }, { id: 2, qty: 1 });
    const list = a.map((change) => ({ topic: 't1', change }));
    list.push({ topic: 't2', change: build('insert', null, { id: 3, qty: 1 })[0] as never });
    numberTransaction('0-1-5', list);
    expect(list.map((x) => x.change.value?.transaction ?? null)).toEqual([
      { id: '0-1-5', total_order: 1, data_collection_order: 1 },
      null,
      { id: '0-1-5', total_order: 2, data_collection_order: 2 },
      { id: '0-1-5', total_order: 3, data_collection_order: 1 },
    ]);
  });
});
