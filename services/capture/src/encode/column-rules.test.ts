import type { TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { projectTable } from './column-rules.ts';

const t: TableSchema = {
  database: 'crm',
  table: 'users',
  columns: [
    { name: 'id', sqlType: 'int', nullable: false },
    { name: 'email', sqlType: 'varchar(100)', nullable: true },
    { name: 'password_hash', sqlType: 'varbinary(60)', nullable: true },
  ],
  primaryKey: ['id'],
};

describe('projectTable', () => {
  it('drops excluded columns and masks others with a keyed hash', () => {
    const { schema, masks } = projectTable(t, { exclude: ['*.*.password_*'], mask: ['crm.users.email'], maskSalt: 's3cret' });
    expect(schema.columns.map((c) => [c.name, c.sqlType])).toEqual([
      ['id', 'int'],
      ['email', 'char(64)'],
    ]);
    const mask = masks.get('email');
    expect(mask?.('a@b.c')).toMatch(/^[0-9a-f]{64}$/);
    expect(mask?.('a@b.c')).toBe(mask?.('a@b.c'));
    expect(mask?.('a@b.c')).not.toBe(
      projectTable(t, { exclude: [], mask: ['*.*.email'], maskSalt: 'other' }).masks.get('email')?.('a@b.c'),
    );
  });

  it('refuses to exclude a key column, and to mask without a salt', () => {
    expect(() => projectTable(t, { exclude: ['crm.users.id'], mask: [] })).toThrow(/part of the key/);
    expect(() => projectTable(t, { exclude: [], mask: ['crm.users.email'] })).toThrow(/maskSalt is required/);
  });
});
