import { describe, expect, it } from 'vitest';
import { buildTableAvro } from '../avro/envelope-schema.ts';
import type { TableSchema } from '../avro/table-schema.ts';
import { structureFromAttributes } from './structure-attributes.ts';
import type { TableStructure } from './table-definition.ts';

const structure: TableStructure = {
  indexes: [
    { name: 'PRIMARY', kind: 'primary', parts: [{ column: 'id' }] },
    {
      name: 'ka',
      kind: 'index',
      parts: [
        { column: 'a', length: 10 },
        { column: 'id', desc: true },
      ],
      comment: 'c',
    },
  ],
  options: { comment: 'tbl', charset: 'latin1', collation: 'latin1_swedish_ci' },
  partitioning: 'PARTITION BY HASH (`id`) PARTITIONS 2',
};
const table: TableSchema = {
  database: 'd',
  table: 't',
  columns: [
    { name: 'id', sqlType: 'int(11)', nullable: false, autoIncrement: true, comment: 'the id' },
    { name: 'a', sqlType: 'varchar(20)', nullable: true, onUpdate: undefined },
    { name: 'ts', sqlType: 'timestamp', nullable: false, onUpdate: 'current_timestamp' },
  ],
  primaryKey: ['id'],
  structure,
};

const row = (schema: Record<string, unknown>) =>
  ((schema.fields as { name: string; type: unknown[] }[])[0]?.type[1] ?? {}) as Record<string, unknown>;

describe('structure in the schema', () => {
  it('travels on the row record and reads back the same', () => {
    const value = buildTableAvro('p', table).valueSchema;
    expect(structureFromAttributes(row(value))).toEqual(structure);
    const fields = row(value).fields as Record<string, unknown>[];
    expect(fields[0]?.['sluice.comment']).toBe('the id');
    expect(fields[0]?.['sluice.extra']).toEqual({ autoIncrement: true });
    expect(fields[2]?.['sluice.extra']).toEqual({ onUpdate: 'current_timestamp' });
  });
  it('leaves the key schema as it was and is deterministic', () => {
    const { structure: _s, ...bare } = table;
    const plain = { ...bare, columns: bare.columns.map(({ name, sqlType, nullable }) => ({ name, sqlType, nullable })) };
    expect(buildTableAvro('p', table).keySchema).toEqual(buildTableAvro('p', plain).keySchema);
    const reordered: TableSchema = {
      ...table,
      structure: {
        partitioning: structure.partitioning,
        options: { collation: 'latin1_swedish_ci', charset: 'latin1', comment: 'tbl' },
        indexes: structure.indexes,
      },
    };
    expect(JSON.stringify(buildTableAvro('p', reordered).valueSchema)).toBe(
      JSON.stringify(buildTableAvro('p', table).valueSchema),
    );
  });
  it('is absent from a schema without structure', () => {
    expect(structureFromAttributes({})).toBeUndefined();
  });
});
