import { buildTableAvro, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { avroTypeText, keyColumns, schemaChanges, tableMapping } from './mapping.ts';

const items: TableSchema = {
  database: 'shop',
  table: 'items',
  columns: [
    { name: 'id', sqlType: 'bigint(20) unsigned', nullable: false },
    { name: 'sku-code', sqlType: 'varchar(20)', nullable: false, charset: 'utf8mb4', collation: 'utf8mb4_general_ci' },
    { name: 'price', sqlType: 'decimal(10,2)', nullable: true },
    { name: 'at', sqlType: 'datetime(6)', nullable: true },
    { name: 'day', sqlType: 'date', nullable: true },
  ],
  primaryKey: ['sku-code', 'id'],
};

describe('tableMapping', () => {
  it('reads each column with its source type, Avro type, connect.name, nullability and key position', () => {
    const { valueSchema, keySchema } = buildTableAvro('p', items);
    const m = tableMapping(valueSchema);
    expect(m).toMatchObject({ database: 'shop', table: 'items', primaryKey: ['sku-code', 'id'] });
    expect(m.columns).toEqual([
      {
        column: 'id',
        field: 'id',
        sqlType: 'bigint(20) unsigned',
        avroType: 'bytes decimal(20,0)',
        connectName: 'org.apache.kafka.connect.data.Decimal',
        nullable: false,
        key: 2,
        charset: null,
        collation: null,
      },
      {
        column: 'sku-code',
        field: 'sku_code',
        sqlType: 'varchar(20)',
        avroType: 'string',
        connectName: null,
        nullable: false,
        key: 1,
        charset: 'utf8mb4',
        collation: 'utf8mb4_general_ci',
      },
      expect.objectContaining({ column: 'price', avroType: 'bytes decimal(10,2)', nullable: true, key: null }),
      expect.objectContaining({ column: 'at', avroType: 'long', connectName: 'io.debezium.time.MicroTimestamp' }),
      expect.objectContaining({ column: 'day', avroType: 'int date', connectName: 'io.debezium.time.Date' }),
    ]);
    expect(keyColumns(keySchema)).toEqual(['sku-code', 'id']);
  });

  it('refuses schemas that are not sluice envelopes', () => {
    expect(() => tableMapping({ type: 'record', name: 'x', fields: [] })).toThrow(/not a sluice envelope/);
  });

  it('prints unions and plain types', () => {
    expect(avroTypeText(['null', 'string'])).toBe('string');
    expect(avroTypeText(['null', 'int', 'string'])).toBe('int | string');
    expect(avroTypeText({ type: { type: 'long' }, logicalType: 'timestamp-micros' })).toBe('long timestamp-micros');
  });
});

describe('schemaChanges', () => {
  const v1 = tableMapping(buildTableAvro('p', items).valueSchema);
  it('lists added, dropped and changed columns and key changes', () => {
    const next: TableSchema = {
      ...items,
      columns: [
        { name: 'id', sqlType: 'bigint(20) unsigned', nullable: false },
        { name: 'sku-code', sqlType: 'varchar(40)', nullable: false, charset: 'utf8mb4', collation: 'utf8mb4_general_ci' },
        { name: 'price', sqlType: 'decimal(10,2)', nullable: false },
        { name: 'day', sqlType: 'date', nullable: true },
        { name: 'note', sqlType: 'text', nullable: true },
      ],
      primaryKey: ['id'],
    };
    expect(schemaChanges(v1, tableMapping(buildTableAvro('p', next).valueSchema))).toEqual([
      '~ sku-code varchar(20) -> varchar(40)',
      '~ price NULL -> NOT NULL',
      '+ note text',
      '- at',
      'key (sku-code, id) -> (id)',
    ]);
    expect(schemaChanges(undefined, v1)).toEqual([]);
    expect(schemaChanges(v1, v1)).toEqual([]);
  });
});
