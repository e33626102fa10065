import { describe, expect, it } from 'vitest';
import { indexSql, structureStatements } from './structure-ddl.ts';
import { describeStructureDiff, diffStructure, isEmptyStructureDiff } from './structure-diff.ts';
import type { IndexDef, TableStructure } from './table-definition.ts';
import { fitStructure, indexesOver } from './target-capabilities.ts';

const pk: IndexDef = { name: 'PRIMARY', kind: 'primary', parts: [{ column: 'id' }] };
const ka: IndexDef = {
  name: 'ka',
  kind: 'index',
  parts: [
    { column: 'a', length: 10 },
    { column: 'id', desc: true },
  ],
  comment: 'c',
};
const ub: IndexDef = { name: 'ub', kind: 'unique', parts: [{ column: 'b' }] };
const s = (indexes: IndexDef[], extra: Partial<TableStructure> = {}): TableStructure => ({ indexes, options: {}, ...extra });
const T = { database: 'd', table: 't' };

describe('indexSql', () => {
  it('writes kinds, prefixes, order and comments', () => {
    expect(indexSql(pk)).toBe('PRIMARY KEY (`id`)');
    expect(indexSql(ka)).toBe("KEY `ka` (`a`(10), `id` DESC) COMMENT 'c'");
    expect(indexSql({ ...ub, comment: "it's" })).toBe("UNIQUE KEY `ub` (`b`) COMMENT 'it''s'");
    expect(indexSql({ name: 'x`y', kind: 'fulltext', parts: [{ column: 'c' }] })).toBe('FULLTEXT KEY `x``y` (`c`)');
  });
  it('refuses functional parts and odd lengths', () => {
    expect(() => indexSql({ name: 'f', kind: 'index', parts: [{ column: '', expression: 'lower(a)' }] })).toThrow(/functional/);
    expect(() => indexSql({ name: 'f', kind: 'index', parts: [{ column: 'a', length: 1.5 }] })).toThrow(/prefix/);
  });
});

describe('diffStructure', () => {
  it('is empty for equal structures, names compared case-insensitively', () => {
    const d = diffStructure(s([pk, ka]), s([pk, { ...ka, name: 'KA' }]));
    expect(isEmptyStructureDiff(d)).toBe(true);
  });
  it('adds, drops and redefines in one ALTER', () => {
    const d = diffStructure(
      s([pk, { ...ka, parts: [{ column: 'a' }] }, ub]),
      s([pk, ka, { name: 'old', kind: 'index', parts: [{ column: 'z' }] }]),
    );
    expect(structureStatements(T, d)).toEqual([
      "ALTER TABLE `d`.`t` DROP INDEX `ka`, DROP INDEX `old`, ADD KEY `ka` (`a`) COMMENT 'c', ADD UNIQUE KEY `ub` (`b`)",
    ]);
    expect(describeStructureDiff(d)).toBe('missing indexes ub; extra indexes old; redefined indexes ka');
    expect(structureStatements(T, d, { separate: true })).toHaveLength(4);
  });
  it('renames an index whose definition is unchanged', () => {
    const d = diffStructure(s([pk, { ...ub, name: 'ub2' }]), s([pk, ub]));
    expect(structureStatements(T, d)).toEqual(['ALTER TABLE `d`.`t` RENAME INDEX `ub` TO `ub2`']);
  });
  it('only adds missing indexes to a shared (shard-merge) table', () => {
    const d = diffStructure(s([pk, { ...ka, parts: [{ column: 'a' }] }]), s([pk, ka, ub], { options: { comment: 'x' } }), {
      shared: true,
    });
    expect(isEmptyStructureDiff(d)).toBe(true);
    expect(diffStructure(s([pk, ub]), s([pk]), { shared: true }).addIndexes).toEqual([ub]);
  });
  it('sets changed options and partitioning', () => {
    const want = s([pk], {
      options: { comment: 'new', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
      partitioning: 'PARTITION BY HASH (`id`) PARTITIONS 4',
    });
    const have = s([pk], { options: { comment: 'old', charset: 'utf8mb4', collation: 'utf8mb4_bin' } });
    const d = diffStructure(want, have);
    expect(structureStatements(T, d)).toEqual([
      "ALTER TABLE `d`.`t` COMMENT = 'new'",
      'ALTER TABLE `d`.`t` PARTITION BY HASH (`id`) PARTITIONS 4',
    ]);
    expect(structureStatements(T, diffStructure(have, want))).toEqual([
      "ALTER TABLE `d`.`t` COMMENT = 'old'",
      'ALTER TABLE `d`.`t` REMOVE PARTITIONING',
    ]);
    const cs = diffStructure(
      s([], { options: { charset: 'utf8', collation: 'utf8_general_ci' } }),
      s([], { options: { charset: 'utf8mb3', collation: 'utf8mb3_general_ci' } }),
    );
    expect(isEmptyStructureDiff(cs)).toBe(true);
  });
  it('refuses a partitioning clause that is more than one clause', () => {
    const d = diffStructure(s([], { partitioning: 'PARTITION BY HASH (id); DROP TABLE x' }), s([]));
    expect(() => structureStatements(T, d)).toThrow(/refusing/);
  });
});

describe('fitStructure', () => {
  it('leaves out what TiDB cannot take, naming it', () => {
    const sp: IndexDef = { name: 'sp', kind: 'spatial', parts: [{ column: 'g' }] };
    const ft: IndexDef = { name: 'ft', kind: 'fulltext', parts: [{ column: 'b' }] };
    const fitted = fitStructure(s([pk, ka, sp, ft], { options: { charset: 'latin1', collation: 'latin1_swedish_ci' } }), {
      spatial: false,
      fulltext: false,
      descIndexes: false,
      partitioning: true,
      charsets: new Set(['latin1']),
      collations: new Set(['latin1_bin']),
    });
    expect(fitted.structure.indexes.map((i) => i.name)).toEqual(['PRIMARY', 'ka']);
    expect(fitted.structure.indexes[1]?.parts[1]).toEqual({ column: 'id' });
    expect(fitted.structure.options).toEqual({ charset: 'latin1' });
    expect(fitted.leftOut).toEqual([
      'SPATIAL index sp (no spatial types)',
      'FULLTEXT index ft',
      'table collation latin1_swedish_ci',
    ]);
  });
  it('drops indexes over columns a table lacks', () => {
    expect(indexesOver(s([pk, ka, ub]), ['id', 'A']).indexes.map((i) => i.name)).toEqual(['PRIMARY', 'ka']);
  });
});
