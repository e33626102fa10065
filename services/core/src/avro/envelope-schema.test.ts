import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroName, buildTableAvro } from './envelope-schema.ts';
import { exactAvroOptions } from './logical-types.ts';
import type { TableSchema } from './table-schema.ts';

const table: TableSchema = {
  database: 'shop-1',
  table: 'order lines',
  columns: [
    { name: 'id', sqlType: 'bigint(20) unsigned', nullable: false },
    { name: 'line-no', sqlType: 'int(11)', nullable: false },
    { name: 'price', sqlType: 'decimal(65,30)', nullable: true },
    { name: 'at', sqlType: 'datetime(6)', nullable: true },
    { name: 'note', sqlType: 'varchar(255)', nullable: true, charset: 'utf8mb4', collation: 'utf8mb4_general_ci' },
  ],
  primaryKey: ['id', 'line-no'],
};

describe('per-table Avro schemas', () => {
  const t = buildTableAvro('sluice', table);

  it('uses Avro-safe names and keeps the real ones as attributes', () => {
    expect(avroName('line-no')).toBe('line_no');
    expect(avroName('1st')).toBe('_1st');
    expect(t.keySchema.namespace).toBe('sluice.shop_1.order_lines');
    const key = t.keySchema.fields as Record<string, unknown>[];
    expect(key.map((f) => [f.name, f['sluice.column']])).toEqual([
      ['id', 'id'],
      ['line_no', 'line-no'],
    ]);
  });

  it('produces schemas avsc accepts, with the Debezium envelope fields', () => {
    const value = avro.Type.forSchema(t.valueSchema as avro.Schema, { ...exactAvroOptions } as never) as avro.types.RecordType;
    expect(value.fields.map((f) => f.name)).toEqual(['before', 'after', 'source', 'op', 'ts_ms', 'transaction']);
    const row = {
      id: '18446744073709551615',
      line_no: 1,
      price: '0.000000000000000000000000000001',
      at: 253402300799999999n,
      note: '😀',
    };
    const env = {
      before: null,
      after: row,
      source: {
        version: '0',
        connector: 'sluice',
        name: 'sluice',
        ts_ms: 1,
        snapshot: 'false',
        db: 'shop-1',
        sequence: null,
        table: 'order lines',
        server_id: 1,
        gtid: '0-1-5',
        file: 'binlog.000001',
        pos: 4,
        row: 0,
        thread: null,
        query: null,
      },
      op: 'c',
      ts_ms: 2,
      transaction: null,
    };
    const back = value.fromBuffer(value.toBuffer(env));
    expect(back.after).toEqual(row);
  });
});
