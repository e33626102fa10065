import { buildTableAvro, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { targetTableFromSchema } from '../decode/target-table.ts';
import { diffSchema } from './schema-diff.ts';
import { tableCopy } from './table-copy.ts';
import { createTableSql, type TargetTraits } from './table-ddl.ts';

const source: TableSchema = {
  database: 'shop',
  table: 'o',
  columns: [
    { name: 'id', sqlType: 'int(11)', nullable: false, autoIncrement: true, comment: 'the id' },
    {
      name: 'a',
      sqlType: 'varchar(100)',
      nullable: true,
      charset: 'utf8mb4',
      collation: 'utf8mb4_bin',
      default: { kind: 'text', value: 'x' },
    },
    { name: 'g', sqlType: 'geometry', nullable: false },
    {
      name: 'ts',
      sqlType: 'timestamp(3)',
      nullable: false,
      default: { kind: 'expression', sql: 'current_timestamp(3)' },
      onUpdate: 'current_timestamp(3)',
    },
  ],
  primaryKey: ['id'],
  structure: {
    indexes: [
      { name: 'PRIMARY', kind: 'primary', parts: [{ column: 'id' }] },
      {
        name: 'ka',
        kind: 'index',
        parts: [
          { column: 'a', length: 10 },
          { column: 'id', desc: true },
        ],
        comment: 'c',
      },
      { name: 'ua', kind: 'unique', parts: [{ column: 'a' }, { column: 'id' }] },
      { name: 'sg', kind: 'spatial', parts: [{ column: 'g' }] },
      { name: 'ft', kind: 'fulltext', parts: [{ column: 'a' }] },
    ],
    options: { comment: "it's", charset: 'latin1', collation: 'latin1_swedish_ci' },
    partitioning: 'PARTITION BY HASH (`id`) PARTITIONS 2',
  },
};
const table = targetTableFromSchema(buildTableAvro('p', source).valueSchema);
const mariadb: TargetTraits = {
  charsets: new Set(['latin1', 'utf8mb4']),
  collations: new Set(['latin1_swedish_ci', 'utf8mb4_bin']),
};
const tidb: TargetTraits = {
  charsets: new Set(['latin1', 'utf8mb4']),
  collations: new Set(['latin1_bin', 'utf8mb4_bin']),
  spatial: false,
  tidb: true,
};

describe('target tables as copies', () => {
  it('reads the structure and extras back from the schema', () => {
    expect(table.structure).toEqual(source.structure);
    expect(table.columns[0]).toMatchObject({ autoIncrement: true, comment: 'the id' });
    expect(table.columns[3]?.onUpdate).toBe('current_timestamp(3)');
  });

  it('creates a MariaDB copy with every index, the options and partitioning', () => {
    expect(createTableSql(table, mariadb)).toBe(
      'CREATE TABLE IF NOT EXISTS `shop`.`o` (\n' +
        "  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT 'the id',\n" +
        "  `a` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL DEFAULT 'x',\n" +
        '  `g` geometry NOT NULL,\n' +
        '  `ts` timestamp(3) NOT NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),\n' +
        '  PRIMARY KEY (`id`),\n' +
        "  KEY `ka` (`a`(10), `id` DESC) COMMENT 'c',\n" +
        '  UNIQUE KEY `ua` (`a`, `id`),\n' +
        '  SPATIAL KEY `sg` (`g`),\n' +
        '  FULLTEXT KEY `ft` (`a`)\n' +
        ") DEFAULT CHARACTER SET = latin1 COLLATE = latin1_swedish_ci COMMENT = 'it''s'\n" +
        'PARTITION BY HASH (`id`) PARTITIONS 2',
    );
  });

  it('leaves out of a TiDB copy what TiDB cannot hold, naming it', () => {
    const copy = tableCopy(table, tidb);
    expect(copy?.structure.indexes.map((i) => i.name)).toEqual(['PRIMARY', 'ka', 'ua']);
    expect(copy?.leftOut).toEqual([
      'SPATIAL index sg (no spatial types)',
      'FULLTEXT index ft',
      'table collation latin1_swedish_ci',
    ]);
    expect(createTableSql(table, tidb)).toContain("KEY `ka` (`a`(10), `id`) COMMENT 'c'");
    expect(createTableSql(table, tidb, { bare: true })).not.toContain('KEY `ka`');
  });

  it('keys the copy by the key the sink writes by', () => {
    const noPk: TableSchema = {
      ...source,
      primaryKey: ['a', 'id'],
      structure: {
        ...(source.structure as NonNullable<TableSchema['structure']>),
        indexes: (source.structure?.indexes ?? []).slice(1),
      },
    };
    const t = targetTableFromSchema(buildTableAvro('p', noPk).valueSchema);
    expect(tableCopy(t, mariadb)?.structure.indexes[0]).toEqual({
      name: 'PRIMARY',
      kind: 'primary',
      parts: [{ column: 'a' }, { column: 'id' }],
    });
  });

  it('redefines a column whose comment or ON UPDATE differs, keeping TiDB AUTO_INCREMENT as it is', () => {
    const have = [
      { name: 'id', type: 'int', nullable: false, extras: {} },
      {
        name: 'a',
        type: 'varchar(100)',
        nullable: true,
        default: { kind: 'text' as const, value: 'x' },
        charset: 'utf8mb4',
        collation: 'utf8mb4_bin',
        extras: {},
      },
      { name: 'g', type: 'longblob', nullable: false, extras: {} },
      {
        name: 'ts',
        type: 'timestamp(3)',
        nullable: false,
        default: { kind: 'expression' as const, sql: 'CURRENT_TIMESTAMP(3)' },
        extras: { onUpdate: 'current_timestamp(3)' },
      },
    ];
    const d = diffSchema(table, have, tidb);
    expect(d.modify.map((c) => [c.name, c.autoIncrement ?? false, c.comment])).toEqual([['id', false, 'the id']]);
    expect(diffSchema(table, have, mariadb).modify.map((c) => c.name)).toEqual(['id', 'g']);
  });
});

describe('column types across dialects', () => {
  it("takes MariaDB's LONGTEXT for a JSON column as the same type", () => {
    const t = targetTableFromSchema(
      buildTableAvro('p', {
        database: 'd',
        table: 'j',
        columns: [
          { name: 'id', sqlType: 'int', nullable: false },
          { name: 'js', sqlType: 'json', nullable: true, default: { kind: 'null' } },
        ],
        primaryKey: ['id'],
      }).valueSchema,
    );
    const have = [
      { name: 'id', type: 'int(11)', nullable: false },
      { name: 'js', type: 'longtext', nullable: true, default: { kind: 'null' as const } },
    ];
    expect(diffSchema(t, have, mariadb).modify).toEqual([]);
  });
});
