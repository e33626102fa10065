import { codecFor } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { TargetTable } from '../decode/target-table.ts';
import { diffSchema, evolveSql, normalizeType } from './schema-diff.ts';

const col = (name: string, sqlType: string) => ({
  name,
  field: name,
  sqlType,
  nullable: true,
  charset: null,
  collation: null,
  codec: codecFor(sqlType),
});

describe('schema diff', () => {
  const t: TargetTable = {
    database: 'd',
    table: 't',
    id: 'x',
    columns: [col('id', 'int(11)'), col('b', 'decimal(10,3)'), col('c', 'varchar(20)')],
    key: [col('id', 'int(11)')],
    keyIndexes: [0],
  };

  it('finds added, changed and dropped columns, ignoring display widths', () => {
    const d = diffSchema(t, [
      { name: 'id', type: 'int' },
      { name: 'b', type: 'decimal(8,3)' },
      { name: 'a', type: 'varchar(10)' },
    ]);
    expect(d.add.map((c) => c.name)).toEqual(['c']);
    expect(d.modify.map((c) => c.name)).toEqual(['b']);
    expect(d.drop).toEqual(['a']);
    expect(evolveSql(t, d)).toBe(
      'ALTER TABLE `d`.`t` ADD COLUMN `c` varchar(20) NULL, MODIFY COLUMN `b` decimal(10,3) NULL, DROP COLUMN `a`',
    );
  });

  it('normalizes spellings', () => {
    expect(normalizeType('INT(11) UNSIGNED')).toBe('int unsigned');
    expect(normalizeType('integer')).toBe('int');
  });
});

describe('normalizeType for spatial types', () => {
  it('takes MySQL 8 and MariaDB spellings of GEOMETRYCOLLECTION for one type', () => {
    expect(normalizeType('geomcollection')).toBe(normalizeType('geometrycollection'));
  });
});
