import { buildTableAvro } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { renamesOf } from './table-registry.ts';

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
