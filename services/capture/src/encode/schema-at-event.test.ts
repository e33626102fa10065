import type { TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { sameEncoding, schemaAtEvent } from './schema-at-event.ts';

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
    // The binlog does not tell nullability or defaults: sinks must not take them from this column.
    expect(s?.columns[2]?.approximate).toBe(true);
    expect(s?.columns[1]?.approximate).toBeUndefined();
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
