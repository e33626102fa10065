import type { ColumnDefault } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { TargetColumn, TargetTable } from '../decode/target-table.ts';
import { testColumn } from '../decode/test-column.ts';
import { diffSchema, evolveStatements, isEmpty, normalizeType, type TargetColumnInfo } from './schema-diff.ts';

const col = testColumn;
const table = (columns: TargetColumn[], renames = {}): TargetTable => ({
  database: 'd',
  table: 't',
  id: 'x',
  columns,
  key: [columns[0] as TargetColumn],
  keyIndexes: [0],
  renames,
});
const NULL: ColumnDefault = { kind: 'null' };
const info = (name: string, type: string, more: Partial<TargetColumnInfo> = {}): TargetColumnInfo => ({
  name,
  type,
  nullable: true,
  default: NULL,
  charset: null,
  collation: null,
  ...more,
});
const ID = col('id', 'int(11)', { nullable: false, default: undefined });
const ID_INFO = info('id', 'int', { nullable: false, default: undefined });
const MARIADB = { charsets: new Set(['latin1', 'utf8mb4']), collations: new Set(['latin1_swedish_ci', 'utf8mb4_general_ci']) };

describe('schema diff', () => {
  it('finds added, changed and dropped columns, ignoring display widths', () => {
    const t = table([ID, col('b', 'decimal(10,3)'), col('c', 'varchar(20)')]);
    const d = diffSchema(t, [ID_INFO, info('b', 'decimal(8,3)'), info('a', 'varchar(10)')]);
    expect(d.add.map((c) => c.name)).toEqual(['c']);
    expect(d.modify.map((c) => c.name)).toEqual(['b']);
    expect(d.drop).toEqual(['a']);
    expect(evolveStatements(t, d)).toEqual([
      'ALTER TABLE `d`.`t` ADD COLUMN `c` varchar(20) NULL DEFAULT NULL, MODIFY COLUMN `b` decimal(10,3) NULL DEFAULT NULL, DROP COLUMN `a`',
    ]);
  });

  it('adds a NOT NULL column with its default, so that existing rows get it as on the source', () => {
    const y = col('y', 'int(11)', { nullable: false, default: { kind: 'text', value: '7' } });
    const t = table([ID, y]);
    const d = diffSchema(t, [ID_INFO]);
    expect(evolveStatements(t, d)).toEqual(["ALTER TABLE `d`.`t` ADD COLUMN `y` int(11) NOT NULL DEFAULT '7'"]);
  });

  it('places a column added between others where the source has it', () => {
    const t = table([ID, col('m', 'int'), col('z', 'int')]);
    const d = diffSchema(t, [ID_INFO, info('z', 'int')]);
    expect(evolveStatements(t, d)).toEqual(['ALTER TABLE `d`.`t` ADD COLUMN `m` int NULL DEFAULT NULL AFTER `id`']);
  });

  it('follows NULL <-> NOT NULL, defaults and charsets, comparing defaults by meaning', () => {
    const t = table([
      ID,
      col('x', 'int(11)', { nullable: false, default: undefined }),
      col('d', 'decimal(8,3)', { default: { kind: 'text', value: '1.500' } }),
      col('s', 'varchar(30)', { charset: 'utf8mb4', collation: 'utf8mb4_general_ci' }),
      col('at', 'timestamp', { default: { kind: 'expression', sql: 'current_timestamp()' } }),
    ]);
    const target = [
      ID_INFO,
      info('x', 'int'),
      info('d', 'decimal(8,3)', { default: { kind: 'text', value: '1.5' } }),
      info('s', 'varchar(30)', { charset: 'latin1', collation: 'latin1_swedish_ci' }),
      info('at', 'timestamp', { default: { kind: 'expression', sql: 'CURRENT_TIMESTAMP' } }),
    ];
    const d = diffSchema(t, target, MARIADB);
    expect(d.modify.map((c) => c.name)).toEqual(['x', 's']);
    expect(evolveStatements(t, d, MARIADB)).toEqual([
      'ALTER TABLE `d`.`t` MODIFY COLUMN `x` int(11) NOT NULL, MODIFY COLUMN `s` varchar(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL',
    ]);
    // Back to NULL.
    const back = table([ID, col('x', 'int(11)')]);
    expect(
      diffSchema(back, [ID_INFO, info('x', 'int', { nullable: false, default: undefined })]).modify.map((c) => c.name),
    ).toEqual(['x']);
  });

  it('a collation the target lacks is not a difference (TiDB keeps its own)', () => {
    const t = table([ID, col('s', 'varchar(30)', { charset: 'latin1', collation: 'latin1_swedish_ci' })]);
    const tidb = { charsets: new Set(['latin1', 'utf8mb4']), collations: new Set(['latin1_bin']) };
    expect(
      isEmpty(diffSchema(t, [ID_INFO, info('s', 'varchar(30)', { charset: 'latin1', collation: 'latin1_bin' })], tidb)),
    ).toBe(true);
  });

  it('keeps what the target has for what the source did not know (a column read from binlog metadata)', () => {
    const t = table([ID, col('x', 'bigint', { unknown: ['nullable', 'default', 'collation'], default: undefined })]);
    const d = diffSchema(t, [ID_INFO, info('x', 'int', { nullable: false, default: { kind: 'text', value: '3' } })]);
    expect(evolveStatements(t, d)).toEqual(["ALTER TABLE `d`.`t` MODIFY COLUMN `x` bigint NOT NULL DEFAULT '3'"]);
    expect(isEmpty(diffSchema(t, [ID_INFO, info('x', 'bigint', { nullable: false })]))).toBe(true);
  });
});

describe('renames', () => {
  it('renames a column the source renamed, whatever versions the target skipped, instead of dropping it', () => {
    const t = table([ID, col('c', 'varchar(30)')], { c: ['b', 'a'] });
    for (const old of ['a', 'b', 'A']) {
      const d = diffSchema(t, [ID_INFO, info(old, 'varchar(100)')]);
      expect(d.drop).toEqual([]);
      expect(d.add).toEqual([]);
      expect(evolveStatements(t, d)).toEqual([
        `ALTER TABLE \`d\`.\`t\` RENAME COLUMN \`${old}\` TO \`c\``,
        'ALTER TABLE `d`.`t` MODIFY COLUMN `c` varchar(30) NULL DEFAULT NULL',
      ]);
    }
    // Already renamed: nothing to do.
    expect(isEmpty(diffSchema(t, [ID_INFO, info('c', 'varchar(30)')]))).toBe(true);
  });

  it('renames first, then adds a new column under the old name', () => {
    const t = table([ID, col('a', 'int'), col('b', 'int')], { b: ['a'] });
    const d = diffSchema(t, [ID_INFO, info('a', 'int')]);
    expect(evolveStatements(t, d)).toEqual([
      'ALTER TABLE `d`.`t` RENAME COLUMN `a` TO `b`',
      'ALTER TABLE `d`.`t` ADD COLUMN `a` int NULL DEFAULT NULL AFTER `id`',
    ]);
  });

  it('renames back for a record older than the target (replay), from the newest history known', () => {
    const old = table([ID, col('a', 'int')]);
    const d = diffSchema(old, [ID_INFO, info('c', 'int')], undefined, { c: ['b', 'a'] });
    expect(d.drop).toEqual([]);
    expect(evolveStatements(old, d)).toEqual(['ALTER TABLE `d`.`t` RENAME COLUMN `c` TO `a`']);
  });

  it('never drops or renames back in a table several source tables merge into', () => {
    const t = { ...table([ID, col('a', 'int')]), shared: true };
    const d = diffSchema(t, [ID_INFO, info('c', 'int'), info('a', 'int')], undefined, { c: ['a'] });
    expect(isEmpty(d)).toBe(true);
  });

  it('keeps a column a past layout lacks: a snapshot after an instant ADD COLUMN holds its values', () => {
    // Rows written before ALTER ... ADD COLUMN c, read after a snapshot that already had c.
    const past = { ...table([ID, col('a', 'int')]), pastLayout: true };
    const d = diffSchema(past, [ID_INFO, info('a', 'int'), info('c', 'int')]);
    expect(d.drop).toEqual([]);
    expect(isEmpty(d)).toBe(true);
    // The same layout read from the catalog (the column really is gone) drops it.
    expect(diffSchema(table([ID, col('a', 'int')]), [ID_INFO, info('a', 'int'), info('c', 'int')]).drop).toEqual(['c']);
  });
});

describe('a column added before its default changed', () => {
  it('fills the old rows with what the source gave them, then takes the later default', () => {
    const n = col('n', 'int', { default: { kind: 'text', value: '6' }, fill: { kind: 'text', value: '5' } });
    const t = table([ID, n]);
    expect(evolveStatements(t, diffSchema(t, [ID_INFO]))).toEqual([
      "ALTER TABLE `d`.`t` ADD COLUMN `n` int NULL DEFAULT '5'",
      "ALTER TABLE `d`.`t` MODIFY COLUMN `n` int NULL DEFAULT '6'",
    ]);
    // A NULL fill cannot go into a NOT NULL column: the default fills, as MySQL would.
    const nn = table([ID, col('m', 'int', { nullable: false, default: { kind: 'text', value: '1' }, fill: { kind: 'null' } })]);
    expect(evolveStatements(nn, diffSchema(nn, [ID_INFO]))).toEqual([
      "ALTER TABLE `d`.`t` ADD COLUMN `m` int NOT NULL DEFAULT '1'",
    ]);
  });
});

describe('TiDB', () => {
  it('adds columns that refer to each other one ALTER each', () => {
    const t = table([ID, col('m', 'int'), col('n', 'int'), col('z', 'int')]);
    const d = diffSchema(t, [ID_INFO, info('z', 'int')]);
    const tidb = { charsets: new Set<string>(), collations: new Set<string>(), tidb: true };
    expect(evolveStatements(t, d, tidb)).toEqual([
      'ALTER TABLE `d`.`t` ADD COLUMN `m` int NULL DEFAULT NULL AFTER `id`',
      'ALTER TABLE `d`.`t` ADD COLUMN `n` int NULL DEFAULT NULL AFTER `m`',
    ]);
    expect(evolveStatements(t, d)).toEqual([
      'ALTER TABLE `d`.`t` ADD COLUMN `m` int NULL DEFAULT NULL AFTER `id`, ADD COLUMN `n` int NULL DEFAULT NULL AFTER `m`',
    ]);
  });
});

describe('normalizeType', () => {
  it('normalizes spellings', () => {
    expect(normalizeType('INT(11) UNSIGNED')).toBe('int unsigned');
    expect(normalizeType('integer')).toBe('int');
  });

  it('takes MySQL 8 and MariaDB spellings of GEOMETRYCOLLECTION for one type', () => {
    expect(normalizeType('geomcollection')).toBe(normalizeType('geometrycollection'));
  });
});

describe('partly known columns', () => {
  it('follows the nullability the binlog told, keeping the default the target has', () => {
    const t = table([ID, col('x', 'int', { nullable: false, unknown: ['default', 'collation'], default: undefined })]);
    const d = diffSchema(t, [ID_INFO, info('x', 'int', { nullable: true, default: { kind: 'text', value: '3' } })]);
    expect(evolveStatements(t, d)).toEqual(["ALTER TABLE `d`.`t` MODIFY COLUMN `x` int NOT NULL DEFAULT '3'"]);
  });
});
