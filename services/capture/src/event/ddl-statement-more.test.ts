import { describe, expect, it } from 'vitest';
import { parseDdl } from './ddl-statement.ts';

const pairs = (sql: string) =>
  (parseDdl(sql, 'cur').renames ?? []).map((r) => [`${r.from.database}.${r.from.table}`, `${r.to.database}.${r.to.table}`]);

describe('parseDdl: renames', () => {
  it.each([
    ['RENAME TABLE a TO b', [['cur.a', 'cur.b']]],
    [
      'RENAME TABLE `a` TO `b`, x.c TO `y`.`d`',
      [
        ['cur.a', 'cur.b'],
        ['x.c', 'y.d'],
      ],
    ],
    ['rename table `t.dot` to `名前`.`été`', [['cur.t.dot', '名前.été']]],
    ['RENAME TABLE `it``s` TO `to` /* c */', [['cur.it`s', 'cur.to']]],
    ['RENAME TABLE 名前表 TO données', [['cur.名前表', 'cur.données']]],
    [
      'RENAME TABLE t TO _t_del, _t_gho TO t',
      [
        ['cur.t', 'cur._t_del'],
        ['cur._t_gho', 'cur.t'],
      ],
    ],
    ['ALTER TABLE a RENAME TO b', [['cur.a', 'cur.b']]],
    ['ALTER TABLE s.a RENAME AS s2.b', [['s.a', 's2.b']]],
    ['ALTER TABLE `a` RENAME `b`', [['cur.a', 'cur.b']]],
    ['ALTER TABLE a ADD COLUMN c INT, RENAME TO b', [['cur.a', 'cur.b']]],
    ['ALTER TABLE a RENAME COLUMN x TO y', []],
    ['ALTER TABLE a RENAME INDEX x TO y', []],
    ['ALTER TABLE a RENAME KEY x TO y', []],
  ])('%s', (sql, want) => {
    expect(pairs(sql)).toEqual(want);
  });

  it('ALTER ... RENAME is a rename_table naming both tables', () => {
    const d = parseDdl('ALTER TABLE a RENAME TO x.b', 'cur');
    expect(d.kind).toBe('rename_table');
    expect(d.tables).toEqual([
      { database: 'cur', table: 'a' },
      { database: 'x', table: 'b' },
    ]);
    expect(parseDdl('ALTER TABLE a RENAME COLUMN x TO y', 'cur').kind).toBe('alter_table');
  });
});

describe('parseDdl: indexes and partitions', () => {
  it.each([
    ['CREATE INDEX ix ON t (a)', 'create_index', 'cur.t'],
    ['CREATE UNIQUE INDEX `ix` ON `s`.`t` (a)', 'create_index', 's.t'],
    ['CREATE OR REPLACE FULLTEXT INDEX IF NOT EXISTS ix ON t (a)', 'create_index', 'cur.t'],
    ['DROP INDEX ix ON s.t', 'drop_index', 's.t'],
    ['DROP INDEX IF EXISTS `ix` ON `t`', 'drop_index', 'cur.t'],
    ['ALTER TABLE t TRUNCATE PARTITION p0, p1', 'alter_table', 'cur.t'],
  ])('%s', (sql, kind, table) => {
    const d = parseDdl(sql, 'cur');
    expect(d.kind).toBe(kind);
    expect(d.tables.map((t) => `${t.database}.${t.table}`)).toEqual([table]);
  });
});
