import { describe, expect, it } from 'vitest';
import { targetColumn } from '../decode/target-column-fixture.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { enumErrorColumns, enumHasEmptyMember } from './enum-error-value.ts';
import { planStatements } from './statements.ts';

const col = (name: string, sqlType: string) => targetColumn(name, sqlType, true);
const t: TargetTable = {
  database: 'd',
  table: 't',
  columns: [col('id', 'int'), col('e', "enum('a','it''s')"), col('f', "enum('','x')"), col('s', 'varchar(5)')],
  key: [col('id', 'int')],
  keyIndexes: [0],
  id: 't',
};

describe('ENUM error value', () => {
  it('tells members that are empty from quotes inside members', () => {
    expect(enumHasEmptyMember("enum('a','it''s')")).toBe(false);
    expect(enumHasEmptyMember("enum('','x')")).toBe(true);
    expect(enumHasEmptyMember("enum('a','')")).toBe(true);
    expect(enumHasEmptyMember("enum('a\\'b')")).toBe(false);
  });

  it("marks only the statements that carry '' into an ENUM without that member as lenient", () => {
    expect(enumErrorColumns(t)).toEqual([1]);
    const plan = (rows: (string | null)[][]) =>
      planStatements({ table: t, truncate: false, upserts: rows, deletes: [] }, 1).map((s) => !!s.lenient);
    expect(plan([['1', 'a', '', '']])).toEqual([false]);
    expect(plan([['1', '', 'x', 'y']])).toEqual([true]);
    expect(
      plan([
        ['1', null, null, null],
        ['2', '', null, null],
      ]),
    ).toEqual([false, true]);
  });
});
