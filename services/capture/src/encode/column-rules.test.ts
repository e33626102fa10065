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

describe('masked defaults', () => {
  it('a masked column carries the masked default, never the clear one', () => {
    const withDefault: TableSchema = {
      ...t,
      columns: [
        { name: 'id', sqlType: 'int', nullable: false },
        { name: 'email', sqlType: 'varchar(100)', nullable: false, default: { kind: 'text', value: 'nobody@x.y' } },
        { name: 'at', sqlType: 'varchar(100)', nullable: false, default: { kind: 'expression', sql: 'uuid()' } },
      ],
    };
    const { schema, masks } = projectTable(withDefault, { exclude: [], mask: ['crm.users.*'], maskSalt: 's3cret-s3cret-16' });
    expect(schema.columns[1]?.default).toEqual({ kind: 'text', value: masks.get('email')?.('nobody@x.y') });
    expect(JSON.stringify(schema)).not.toContain('nobody@x.y');
    expect(schema.columns[2]?.default).toBeUndefined();
  });
});
