import { codecFor } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { TargetTable } from '../decode/target-table.ts';
import { createTableSql, targetSqlType } from './table-ddl.ts';

const col = (name: string, sqlType: string, nullable = false, charset: string | null = null) => ({
  name,
  field: name,
  sqlType,
  nullable,
  charset,
  collation: charset ? `${charset}_bin` : null,
  codec: codecFor(sqlType),
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
