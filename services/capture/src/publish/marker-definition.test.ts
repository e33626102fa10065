import { buildTableAvro, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { columnsOfValueSchema, definitionFollows, removesRows } from './marker-definition.ts';

const cols = (...names: string[]) => names.map((name) => ({ name }));

describe('definitionFollows', () => {
  it('takes the table of now when it is the statement applied to the table before', () => {
    expect(definitionFollows(['id', 'a'], cols('id', 'a', 'b'), 'ALTER TABLE t ADD COLUMN b INT')).toBe(true);
    expect(definitionFollows(['id', 'a'], cols('id', 'b'), 'ALTER TABLE t RENAME COLUMN a TO b')).toBe(true);
    expect(definitionFollows(['id', 'a'], cols('id'), 'ALTER TABLE t DROP COLUMN a')).toBe(true);
    expect(definitionFollows(['id', 'A'], cols('id', 'a'), 'CREATE INDEX ix ON t (a)')).toBe(true);
  });

  it('refuses a table of now that a later DDL already changed (a backlog), or no columns before', () => {
    // RENAME COLUMN a TO b, then CHANGE b c with no row between: now has c.
    expect(definitionFollows(['id', 'a'], cols('id', 'c'), 'ALTER TABLE t RENAME COLUMN a TO b')).toBe(false);
    expect(definitionFollows(['id', 'a'], cols('id', 'a', 'x'), 'CREATE INDEX ix ON t (a)')).toBe(false);
    expect(definitionFollows(['id', 'a'], cols('id'), 'ALTER TABLE t ADD COLUMN b INT')).toBe(false);
    expect(definitionFollows(undefined, cols('id', 'z'), 'ALTER TABLE t ADD z INT')).toBe(false);
  });
});

describe('columnsOfValueSchema', () => {
  it('reads the column names of a registered value schema', () => {
    const t: TableSchema = {
      database: 'd',
      table: 't',
      columns: [
        { name: 'id', sqlType: 'int', nullable: false },
        { name: 'a b', sqlType: 'int', nullable: true },
      ],
      primaryKey: ['id'],
    };
    expect(columnsOfValueSchema(buildTableAvro('p', t).valueSchema)).toEqual(['id', 'a b']);
    expect(columnsOfValueSchema({})).toBeUndefined();
  });
});

describe('removesRows', () => {
  it('tells the partition statements that remove or move rows', () => {
    expect(removesRows('ALTER TABLE t TRUNCATE PARTITION p0')).toBe(true);
    expect(removesRows('alter table t drop  partition p1, p2')).toBe(true);
    expect(removesRows('ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE x')).toBe(true);
    expect(removesRows('ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (40))')).toBe(false);
    expect(removesRows('ALTER TABLE t ADD COLUMN c INT')).toBe(false);
  });
});
