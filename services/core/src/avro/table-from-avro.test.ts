import { describe, expect, it } from 'vitest';
import { buildTableAvro } from './envelope-schema.ts';
import { tableFromValueSchema } from './table-from-avro.ts';
import type { TableSchema } from './table-schema.ts';

const table: TableSchema = {
  database: 'shop.eu',
  table: 'order lines',
  columns: [
    { name: 'id', sqlType: 'bigint(20) unsigned', nullable: false, autoIncrement: true },
    {
      name: 'naïve `name`',
      sqlType: 'varchar(40)',
      nullable: false,
      charset: 'utf8mb4',
      collation: 'utf8mb4_bin',
      default: { kind: 'text', value: "it's" },
      fill: { kind: 'text', value: 'old' },
      comment: 'free text',
    },
    { name: 'raw', sqlType: 'varbinary(4)', nullable: true, default: { kind: 'bytes', hex: '00ff' } },
    { name: 'at', sqlType: 'datetime(3)', nullable: true, default: { kind: 'null' }, onUpdate: 'current_timestamp(3)' },
    { name: 'total', sqlType: 'decimal(10,2)', nullable: true, generated: { expression: '`id` * 2', stored: true } },
    { name: 'seen', sqlType: 'varchar(5)', nullable: true, unknown: ['default', 'collation'] },
  ],
  primaryKey: ['id'],
  renames: { 'naïve `name`': ['name', 'nm'] },
  structure: {
    indexes: [
      { name: 'PRIMARY', kind: 'primary', parts: [{ column: 'id' }] },
      { name: 'ix_name', kind: 'index', parts: [{ column: 'naïve `name`', length: 8 }] },
    ],
    options: { comment: 'lines', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
    partitioning: 'PARTITION BY HASH (`id`) PARTITIONS 4',
  },
};

describe('tableFromValueSchema', () => {
  it('reads back the table a value schema was built from, attribute by attribute', () => {
    const avro = buildTableAvro('p', table);
    const back = tableFromValueSchema(avro.valueSchema);
    expect(back.table).toEqual({
      ...table,
      columns: table.columns.map((c) => ({ charset: null, collation: null, ...c })),
    });
    expect(back.fields).toEqual(avro.fields.map((f) => f.field));
    // Built again from what was read: the same schema, so the registry gives the same id.
    expect(buildTableAvro('p', back.table).valueSchema).toEqual(avro.valueSchema);
  });

  it('keeps a past layout and refuses a schema that is not a sluice envelope', () => {
    const past = tableFromValueSchema(buildTableAvro('p', { ...table, structure: undefined, pastLayout: true }).valueSchema);
    expect(past.table.pastLayout).toBe(true);
    expect(past.table.structure).toBeUndefined();
    expect(() => tableFromValueSchema({ type: 'record', fields: [] })).toThrow(/not a sluice envelope/);
  });
});
