import type { TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { columnChanges } from '../event/column-changes.ts';
import { AddedFills } from './added-fills.ts';

const t = { database: 'd', table: 't' };
const schema = (nDefault: string): TableSchema => ({
  ...t,
  columns: [
    { name: 'id', sqlType: 'int(11)', nullable: false },
    { name: 'n', sqlType: 'int(11)', nullable: true, default: { kind: 'text', value: nDefault } },
  ],
  primaryKey: ['id'],
});
const alter = (fills: AddedFills, sql: string) => fills.afterDdl('alter_table', [t], columnChanges(sql));

describe('AddedFills', () => {
  it('gives a column the value its old rows got when its default changed before the definition was read', () => {
    const fills = new AddedFills();
    alter(fills, 'ALTER TABLE t ADD COLUMN n INT DEFAULT 5');
    expect(fills.apply(schema('6')).columns[1]?.fill).toEqual({ kind: 'text', value: '5' });
    // Read in time (the same default): nothing to add to the schema.
    expect(fills.apply(schema('5')).columns[1]).not.toHaveProperty('fill');
  });

  it('follows renames and forgets dropped columns and recreated tables', () => {
    const fills = new AddedFills();
    alter(fills, 'ALTER TABLE t ADD COLUMN m INT DEFAULT 5');
    alter(fills, 'ALTER TABLE t RENAME COLUMN m TO n');
    expect(fills.apply(schema('6')).columns[1]?.fill).toEqual({ kind: 'text', value: '5' });
    alter(fills, 'ALTER TABLE t DROP COLUMN n');
    expect(fills.apply(schema('6')).columns[1]).not.toHaveProperty('fill');
    alter(fills, 'ALTER TABLE t ADD COLUMN n INT DEFAULT 5');
    fills.afterDdl('drop_table', [t], undefined);
    expect(fills.apply(schema('6')).columns[1]).not.toHaveProperty('fill');
  });
});
