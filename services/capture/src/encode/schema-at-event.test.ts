import type { TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { sameDeclared, sameEncoding, schemaAtEvent } from './schema-at-event.ts';

const now: TableSchema = {
  database: 'd',
  table: 't',
  columns: [
    { name: 'id', sqlType: 'int(11)', nullable: false },
    { name: 'name', sqlType: 'varchar(50)', nullable: true, charset: 'utf8mb4', collation: 'utf8mb4_bin' },
    { name: 'added', sqlType: 'decimal(10,2)', nullable: true },
  ],
  primaryKey: ['id'],
};

describe('schemaAtEvent', () => {
  it('keeps the schema of now when the event has the same layout', () => {
    const view = {
      columns: [
        { name: 'id', sqlType: 'int', nullable: true },
        { name: 'name', sqlType: 'varchar(50)', nullable: true },
        { name: 'added', sqlType: 'decimal(10,2)', nullable: true },
      ],
      primaryKey: ['id'],
    };
    expect(schemaAtEvent(now, view)).toBeUndefined();
  });

  it('describes an event written before a column was added, keeping exact types of unchanged columns', () => {
    const view = {
      columns: [
        { name: 'id', sqlType: 'int', nullable: true },
        { name: 'name', sqlType: 'varchar(50)', nullable: true },
      ],
      primaryKey: ['id'],
    };
    expect(schemaAtEvent(now, view)?.columns).toEqual([
      { name: 'id', sqlType: 'int(11)', nullable: false },
      { name: 'name', sqlType: 'varchar(50)', nullable: true, charset: 'utf8mb4', collation: 'utf8mb4_bin' },
    ]);
  });

  it('uses the binlog type of a column whose type changed since', () => {
    const view = {
      columns: [
        { name: 'id', sqlType: 'int', nullable: true },
        { name: 'name', sqlType: 'varchar(50)', nullable: true },
        { name: 'added', sqlType: 'decimal(8,4)', nullable: true },
      ],
      primaryKey: undefined,
    };
    const s = schemaAtEvent(now, view);
    expect(s?.columns[2]?.sqlType).toBe('decimal(8,4)');
    // The binlog does not tell defaults or collations (nor, here, nullability): sinks keep the target's.
    expect(s?.columns[2]?.unknown).toEqual(['nullable', 'default', 'collation']);
    expect(s?.columns[1]?.unknown).toBeUndefined();
    expect(s?.primaryKey).toEqual(['id']);
  });

  it('compares encodings, not spellings', () => {
    expect(sameEncoding('int(11)', 'int')).toBe(true);
    expect(sameEncoding('int(10) unsigned', 'int')).toBe(false);
    expect(sameEncoding('varchar(50)', 'varchar(20)')).toBe(true);
    expect(sameEncoding('varchar(50)', 'varbinary(50)')).toBe(false);
    expect(sameEncoding('datetime(6)', 'datetime(3)')).toBe(false);
  });
});

describe('schemaAtEvent and nullability', () => {
  const view = (nullable: boolean[]) => ({
    columns: [
      { name: 'id', sqlType: 'int', nullable: nullable[0] as boolean },
      { name: 'name', sqlType: 'varchar(50)', nullable: nullable[1] as boolean },
      { name: 'added', sqlType: 'decimal(10,2)', nullable: nullable[2] as boolean },
    ],
    primaryKey: ['id'],
    nullability: true,
  });

  it('keeps the schema of now when the binlog tells the same nullability', () => {
    expect(schemaAtEvent(now, view([false, true, true]))).toBeUndefined();
  });

  it("takes a row's nullability from its TableMap: a later MODIFY ... NOT NULL must not apply to it", () => {
    const later = { ...now, columns: now.columns.map((c) => (c.name === 'added' ? { ...c, nullable: false } : c)) };
    const s = schemaAtEvent(later, view([false, true, true]));
    expect(s?.columns[2]).toEqual({ name: 'added', sqlType: 'decimal(10,2)', nullable: true, unknown: ['default'] });
    expect(s?.columns[1]).toEqual(now.columns[1]);
  });

  it('a column of another type: nullability from the binlog, default and collation unknown', () => {
    const v = view([false, false, true]);
    v.columns[2] = { name: 'added', sqlType: 'decimal(8,4)', nullable: true };
    expect(schemaAtEvent(now, v)?.columns[2]).toEqual({
      name: 'added',
      sqlType: 'decimal(8,4)',
      nullable: true,
      unknown: ['default', 'collation'],
    });
  });
});

describe('schemaAtEvent and declared types', () => {
  const v = (name: { sqlType: string; charset?: string }) => ({
    columns: [
      { name: 'id', sqlType: 'int', nullable: false },
      { name: 'name', sqlType: name.sqlType, nullable: true, charset: name.charset ?? 'utf8mb4' },
      { name: 'added', sqlType: 'decimal(10,2)', nullable: true },
    ],
    primaryKey: ['id'],
    nullability: true,
  });

  it('a VARCHAR narrowed later keeps the length its rows were written with', () => {
    const s = schemaAtEvent(now, v({ sqlType: 'varchar(100)' }));
    expect(s?.columns[1]).toEqual({
      name: 'name',
      sqlType: 'varchar(100)',
      nullable: true,
      charset: 'utf8mb4',
      collation: 'utf8mb4_bin',
      unknown: ['default'],
    });
  });

  it('a charset changed later keeps the charset its rows were written with', () => {
    const s = schemaAtEvent(now, v({ sqlType: 'varchar(50)', charset: 'latin1' }));
    expect(s?.columns[1]).toEqual({
      name: 'name',
      sqlType: 'varchar(50)',
      nullable: true,
      charset: 'latin1',
      unknown: ['default', 'collation'],
    });
  });
});

describe('sameDeclared', () => {
  it('compares the lengths of sized strings, not of integers', () => {
    expect(sameDeclared('varchar(100)', 'varchar(100)')).toBe(true);
    expect(sameDeclared('varchar(100)', 'varchar(20)')).toBe(false);
    expect(sameDeclared('int(11)', 'int')).toBe(true);
    expect(sameDeclared('text', 'text')).toBe(true);
  });

  it('takes utf8 and utf8mb3 for one charset', () => {
    const v = {
      columns: [
        { name: 'id', sqlType: 'int', nullable: false },
        { name: 'name', sqlType: 'varchar(50)', nullable: true, charset: 'utf8mb3' },
        { name: 'added', sqlType: 'decimal(10,2)', nullable: true },
      ],
      primaryKey: ['id'],
      nullability: true,
    };
    const old = { ...now, columns: now.columns.map((c) => (c.name === 'name' ? { ...c, charset: 'utf8' } : c)) };
    expect(schemaAtEvent(old, v)).toBeUndefined();
  });
});
