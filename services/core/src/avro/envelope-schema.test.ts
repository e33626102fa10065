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

describe('defaults and renames in the value schema', () => {
  const evolved: TableSchema = {
    database: 'd',
    table: 't',
    columns: [
      { name: 'id', sqlType: 'int(11)', nullable: false },
      { name: 'y', sqlType: 'int(11)', nullable: false, default: { kind: 'text', value: '7' } },
      { name: 'q', sqlType: 'varchar(20)', nullable: true, default: { kind: 'text', value: "it's" } },
      { name: 'n', sqlType: 'int(11)', nullable: true, default: { kind: 'null' } },
      { name: 'at', sqlType: 'timestamp', nullable: false, default: { kind: 'expression', sql: 'current_timestamp()' } },
      { name: 'c', sqlType: 'varchar(30)', nullable: true, default: { kind: 'null' } },
    ],
    primaryKey: ['id'],
    renames: { c: ['b', 'a'] },
  };
  const t = buildTableAvro('sluice', evolved);
  const row = (t.valueSchema.fields as { name: string; type: unknown }[])[0]?.type as unknown[];
  const record = row[1] as Record<string, unknown>;
  const field = (name: string) => (record.fields as Record<string, unknown>[]).find((f) => f.name === name);

  it('carries each default as sluice.default/defaultKind, and as the Avro default of NOT NULL fields where exact', () => {
    expect(field('y')).toMatchObject({ type: 'int', default: 7, 'sluice.default': '7', 'sluice.defaultKind': 'text' });
    // Nullable fields keep ['null', T] with default null (Avro: a union's default is its first branch).
    expect(field('q')).toMatchObject({ default: null, 'sluice.default': "it's", 'sluice.defaultKind': 'text' });
    expect(field('n')).toMatchObject({ default: null, 'sluice.default': null, 'sluice.defaultKind': 'null' });
    expect(field('at')).toMatchObject({ 'sluice.default': 'current_timestamp()', 'sluice.defaultKind': 'expression' });
    expect(field('at')).not.toHaveProperty('default');
    expect(field('id')).not.toHaveProperty('sluice.defaultKind');
  });

  it('carries the rename history on the row record and leaves the key schema as it was', () => {
    expect(record['sluice.renames']).toEqual({ c: ['b', 'a'] });
    expect(t.keySchema.fields).toEqual([{ name: 'id', type: 'int', 'sluice.column': 'id', 'sluice.sqlType': 'int(11)' }]);
    expect(() => avro.Type.forSchema(t.valueSchema as avro.Schema, { ...exactAvroOptions } as never)).not.toThrow();
  });
});
