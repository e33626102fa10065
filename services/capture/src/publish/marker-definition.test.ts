import { buildTableAvro, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { removesRows, sameColumns } from './marker-definition.ts';

const table = (...cols: [string, string][]): TableSchema => ({
  database: 'd',
  table: 't',
  columns: cols.map(([name, sqlType]) => ({ name, sqlType, nullable: true })),
  primaryKey: ['id'],
});
const avro = (t: TableSchema) => buildTableAvro('p', t).valueSchema;

describe('sameColumns', () => {
  it('lets a DDL that leaves the columns as they were carry the table of now', () => {
    expect(sameColumns(avro(table(['id', 'int'], ['a', 'int'])), avro(table(['id', 'int'], ['a', 'int'])))).toBe(true);
  });

  it('keeps the marker off a DDL that changes columns, or when nothing was published before', () => {
    const before = avro(table(['id', 'int'], ['a', 'int']));
    expect(sameColumns(before, avro(table(['id', 'int'], ['a', 'int'], ['b', 'int'])))).toBe(false);
    expect(sameColumns(before, avro(table(['id', 'int'], ['a', 'bigint'])))).toBe(false);
    expect(sameColumns(before, avro(table(['id', 'int'], ['c', 'int'])))).toBe(false);
    expect(sameColumns(undefined, before)).toBe(false);
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
