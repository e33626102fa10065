import { describe, expect, it } from 'vitest';
import { targetColumn } from '../decode/target-column-fixture.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { columnDef, createTableSql, targetSqlType } from './table-ddl.ts';

const col = (name: string, sqlType: string, nullable = false, charset: string | null = null) => ({
  ...targetColumn(name, sqlType, nullable),
  charset,
  collation: charset ? `${charset}_bin` : null,
});

describe('createTableSql', () => {
  it('keeps the source column types, nullability, charset and key', () => {
    const t: TargetTable = {
      database: 'shop',
      table: 'o',
      id: 'x',
      columns: [
        col('id', 'bigint(20) unsigned'),
        col('s', "enum('a','b,c','it''s')", true),
        col('n', 'varchar(10)', true, 'utf8mb4'),
      ],
      key: [col('id', 'bigint(20) unsigned')],
      keyIndexes: [0],
    };
    expect(createTableSql(t)).toBe(
      'CREATE TABLE IF NOT EXISTS `shop`.`o` (\n' +
        '  `id` bigint(20) unsigned NOT NULL,\n' +
        "  `s` enum('a','b,c','it''s') NULL,\n" +
        '  `n` varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,\n' +
        '  PRIMARY KEY (`id`)\n)',
    );
  });

  it('refuses a type that is not a column type', () => {
    const bad = col('x', 'int');
    bad.sqlType = 'int); DROP TABLE t; --';
    expect(() => createTableSql({ database: 'd', table: 't', id: 'x', columns: [bad], key: [bad], keyIndexes: [0] })).toThrow(
      /refusing column type/,
    );
  });
});

describe('createTableSql on a target with fewer collations', () => {
  it('falls back to the target default for a collation it lacks', () => {
    const c = col('n', 'varchar(10)', true, 'latin1');
    c.collation = 'latin1_swedish_ci';
    const target = { charsets: new Set(['latin1', 'utf8mb4']), collations: new Set(['latin1_bin']) };
    expect(createTableSql({ database: 'd', table: 't', id: 'x', columns: [c], key: [c], keyIndexes: [0] }, target)).toContain(
      '`n` varchar(10) CHARACTER SET latin1 NULL',
    );
  });
});

describe('spatial columns', () => {
  it('keep their type where the target has spatial types, and become LONGBLOB where not (TiDB)', () => {
    expect(targetSqlType('point')).toBe('point');
    expect(targetSqlType('geomcollection', { charsets: new Set(), collations: new Set(), spatial: true })).toBe(
      'geometrycollection',
    );
    expect(targetSqlType('polygon', { charsets: new Set(), collations: new Set(), spatial: false })).toBe('longblob');
    expect(targetSqlType('varchar(5)', { charsets: new Set(), collations: new Set(), spatial: false })).toBe('varchar(5)');
  });
});

describe('column defaults in DDL', () => {
  const withDefault = (sqlType: string, nullable: boolean, d: TargetTable['columns'][number]['default']) => ({
    ...col('v', sqlType, nullable),
    default: d,
  });

  it('writes each kind of default the way every dialect takes it', () => {
    expect(columnDef(withDefault('int(11)', false, { kind: 'text', value: '7' }))).toBe("`v` int(11) NOT NULL DEFAULT '7'");
    expect(columnDef(withDefault('varchar(20)', true, { kind: 'text', value: "it's a\\b" }))).toBe(
      "`v` varchar(20) NULL DEFAULT 'it''s a\\\\b'",
    );
    expect(columnDef(withDefault('int(11)', true, { kind: 'null' }))).toBe('`v` int(11) NULL DEFAULT NULL');
    expect(columnDef(withDefault('binary(2)', true, { kind: 'bytes', hex: '6100' }))).toBe("`v` binary(2) NULL DEFAULT X'6100'");
    expect(columnDef(withDefault('bit(8)', true, { kind: 'bytes', hex: '05' }))).toBe("`v` bit(8) NULL DEFAULT b'101'");
    expect(columnDef(withDefault('timestamp', true, { kind: 'expression', sql: 'current_timestamp()' }))).toBe(
      '`v` timestamp NULL DEFAULT current_timestamp()',
    );
    expect(columnDef(withDefault('double', true, { kind: 'expression', sql: 'rand()' }))).toBe(
      '`v` double NULL DEFAULT (rand())',
    );
    expect(columnDef(withDefault('int', true, { kind: 'expression', sql: '(1 + 1)' }))).toBe('`v` int NULL DEFAULT (1 + 1)');
  });

  it('refuses an expression that is more than one expression', () => {
    for (const sql of ['1); DROP TABLE t; --', '1 /* x */', "concat('a', 1", '1) , ADD COLUMN z INT, MODIFY v INT DEFAULT (1']) {
      expect(() => columnDef(withDefault('int', true, { kind: 'expression', sql })), sql).toThrow(/refusing default/);
    }
    expect(columnDef(withDefault('varchar(9)', true, { kind: 'expression', sql: "concat('a;--', ')')" }))).toContain(
      "DEFAULT (concat('a;--', ')'))",
    );
  });
});
