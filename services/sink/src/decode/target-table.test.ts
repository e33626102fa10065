import { buildTableAvro } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { targetTableFromSchema } from './target-table.ts';

describe('targetTableFromSchema', () => {
  const schema = buildTableAvro('p', {
    database: 'd',
    table: 't',
    columns: [
      { name: 'id', sqlType: 'int(11)', nullable: false },
      { name: 'y', sqlType: 'int(11)', nullable: false, default: { kind: 'text', value: '7' } },
      { name: 'b', sqlType: 'binary(2)', nullable: true, default: { kind: 'bytes', hex: '6100' } },
      { name: 'at', sqlType: 'timestamp', nullable: true, default: { kind: 'expression', sql: 'current_timestamp()' } },
      { name: 'c', sqlType: 'varchar(30)', nullable: true, unknown: ['default', 'collation'] },
    ],
    primaryKey: ['id'],
    renames: { c: ['b0', 'a'] },
  }).valueSchema;

  it('reads defaults, unknown attributes and the rename history', () => {
    const t = targetTableFromSchema(schema);
    expect(t.columns.map((c) => c.default)).toEqual([
      undefined,
      { kind: 'text', value: '7' },
      { kind: 'bytes', hex: '6100' },
      { kind: 'expression', sql: 'current_timestamp()' },
      undefined,
    ]);
    expect(t.columns.map((c) => c.nullable)).toEqual([false, false, true, true, true]);
    expect(t.columns[4]?.unknown).toEqual(['default', 'collation']);
    expect(t.renames).toEqual({ c: ['b0', 'a'] });
    expect(t.origin).toEqual({ database: 'd', table: 't' });
  });

  it('gives another layout id when only a default changes', () => {
    const other = JSON.parse(JSON.stringify(schema).replace('"sluice.default":"7"', '"sluice.default":"8"'));
    expect(targetTableFromSchema(other).id).not.toBe(targetTableFromSchema(schema).id);
  });

  it('reads a past layout (rows written before a later DDL) as one, with a layout id of its own', () => {
    const t = { database: 'd', table: 't', columns: [{ name: 'id', sqlType: 'int(11)', nullable: false }], primaryKey: ['id'] };
    const now = targetTableFromSchema(buildTableAvro('p', t).valueSchema);
    const past = targetTableFromSchema(buildTableAvro('p', { ...t, pastLayout: true }).valueSchema);
    expect(now.pastLayout).toBeUndefined();
    expect(past.pastLayout).toBe(true);
    expect(past.id).not.toBe(now.id);
  });
});
