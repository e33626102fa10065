import { buildTableAvro } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { afterStatement, renamesOf } from './table-registry.ts';

describe('renamesOf', () => {
  it('reads the rename history back from a registered value schema', () => {
    const t = {
      database: 'd',
      table: 't',
      columns: [
        { name: 'id', sqlType: 'int', nullable: false },
        { name: 'c', sqlType: 'int', nullable: true },
      ],
      primaryKey: ['id'],
    };
    expect(renamesOf(buildTableAvro('p', { ...t, renames: { c: ['b', 'a'] } }).valueSchema)).toEqual({ c: ['b', 'a'] });
    expect(renamesOf(buildTableAvro('p', t).valueSchema)).toEqual({});
    expect(renamesOf(undefined)).toEqual({});
  });
});

describe('afterStatement', () => {
  const before = {
    database: 'd',
    table: 't',
    columns: [
      { name: 'id', sqlType: 'int', nullable: false },
      { name: 'a', sqlType: 'varchar(20)', nullable: false },
      { name: 'gone', sqlType: 'int', nullable: true },
    ],
    primaryKey: ['id'],
    structure: { indexes: [{ name: 'ix_a', kind: 'index' as const, parts: [{ column: 'a' }] }], options: {} },
  };

  it('renames and drops columns as the statement did, as a past layout without structure', () => {
    const after = afterStatement(before, { renames: [{ from: 'A', to: 'b' }], drops: ['gone'], adds: [] });
    expect(after?.columns.map((c) => c.name)).toEqual(['id', 'b']);
    expect(after?.columns[1]?.sqlType).toBe('varchar(20)');
    expect(after?.pastLayout).toBe(true);
    expect(after?.structure).toBeUndefined();
  });

  it('follows a renamed key column, and gives up when a key column is dropped', () => {
    expect(afterStatement(before, { renames: [{ from: 'id', to: 'k' }], drops: [], adds: [] })?.primaryKey).toEqual(['k']);
    expect(afterStatement(before, { renames: [], drops: ['id'], adds: [] })).toBeUndefined();
  });
});
