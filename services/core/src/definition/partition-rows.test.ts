import { describe, expect, it } from 'vitest';
import { PartitionRowsRefused, parsePartitioning, partitioningAfter, partitionRows } from './partition-rows.ts';

const RANGE =
  'PARTITION BY RANGE (`id`)\n(PARTITION `p0` VALUES LESS THAN (10),\n PARTITION `p1` VALUES LESS THAN (20),\n PARTITION `p2` VALUES LESS THAN MAXVALUE)';

describe('partitionRows', () => {
  it('RANGE: below the bound, NULL in the first partition', () => {
    expect(partitionRows(RANGE, ['p0'])).toEqual({ sql: '(((((`id`) IS NULL OR (`id`) < ?))))', params: [10] });
  });

  it('RANGE: not below the previous bound; MAXVALUE has no upper bound', () => {
    expect(partitionRows(RANGE, ['P1'])).toEqual({
      sql: '(((((`id`) IS NULL OR (`id`) < ?))) AND NOT ((((`id`) IS NULL OR (`id`) < ?))))',
      params: [20, 10],
    });
    expect(partitionRows(RANGE, ['p2'])).toEqual({ sql: '(((TRUE)) AND NOT ((((`id`) IS NULL OR (`id`) < ?))))', params: [20] });
  });

  it('several partitions are OR-ed', () => {
    const r = partitionRows(RANGE, ['p0', 'p2']);
    expect(r.sql.split(' OR (').length).toBeGreaterThan(1);
    expect(r.params).toEqual([10, 20]);
  });

  it('RANGE with an expression and negative bounds (MySQL 8 spelling, unquoted names)', () => {
    const c = 'PARTITION BY RANGE (year(`d`))\n(PARTITION p0 VALUES LESS THAN (-5),\n PARTITION p1 VALUES LESS THAN (2020))';
    expect(partitionRows(c, ['p1'])).toEqual({
      sql: '(((((year(`d`)) IS NULL OR (year(`d`)) < ?))) AND NOT ((((year(`d`)) IS NULL OR (year(`d`)) < ?))))',
      params: [2020, -5],
    });
  });

  it('RANGE COLUMNS compares tuples lexicographically, MAXVALUE above all', () => {
    const c =
      "PARTITION BY RANGE  COLUMNS(`a`,`b`)\n(PARTITION `p0` VALUES LESS THAN (10,'m'),\n PARTITION `p1` VALUES LESS THAN (10,MAXVALUE))";
    expect(partitionRows(c, ['p0'])).toEqual({
      sql: '((((`a` IS NULL OR `a` < ?)) OR (`a` <=> ? AND (`b` IS NULL OR `b` < ?))))',
      params: [10, 10, 'm'],
    });
    expect(partitionRows(c, ['p1']).sql).toBe(
      '((((`a` IS NULL OR `a` < ?)) OR (`a` <=> ? AND TRUE)) AND NOT (((`a` IS NULL OR `a` < ?)) OR (`a` <=> ? AND (`b` IS NULL OR `b` < ?))))',
    );
  });

  it('LIST: IN the values, NULL only where listed', () => {
    const c = 'PARTITION BY LIST (`k`)\n(PARTITION `a` VALUES IN (1,3,NULL),\n PARTITION `b` VALUES IN (2,-4))';
    expect(partitionRows(c, ['a'])).toEqual({
      sql: '(((`k`) = ?) OR ((`k`) = ?) OR ((`k`) IS NULL))',
      params: [1, 3],
    });
    expect(partitionRows(c, ['b'])).toEqual({ sql: '(((`k`) = ?) OR ((`k`) = ?))', params: [2, -4] });
  });

  it('LIST COLUMNS with strings and tuples', () => {
    const c = "PARTITION BY LIST  COLUMNS(`c`)\n(PARTITION `e` VALUES IN ('it''s','x\\\\y'),\n PARTITION `w` VALUES IN ('w'))";
    expect(partitionRows(c, ['e'])).toEqual({ sql: '((`c` = ?) OR (`c` = ?))', params: ["it's", 'x\\y'] });
    const t = "PARTITION BY LIST COLUMNS(`a`,`b`) (PARTITION p VALUES IN ((1,'x'),(2,NULL)))";
    expect(partitionRows(t, ['p'])).toEqual({ sql: '((`a` = ? AND `b` = ?) OR (`a` = ? AND `b` IS NULL))', params: [1, 'x', 2] });
  });

  it('HASH: ABS(MOD(expr, n)), NULL hashed as -2^63; implicit names p0..', () => {
    expect(partitionRows('PARTITION BY HASH (`id`)\nPARTITIONS 3', ['p2'])).toEqual({
      sql: '((CASE WHEN (`id`) IS NULL THEN ? ELSE ABS(MOD((`id`), ?)) END) = ?)',
      params: [2, 3, 2],
    });
    expect(partitionRows('PARTITION BY HASH (`id`) PARTITIONS 5', ['p1']).params).toEqual([3, 5, 1]);
    expect(partitionRows('PARTITION BY HASH (`id`) PARTITIONS 4', ['p1']).params).toEqual([0, 4, 1]);
    const named = "PARTITION BY HASH (`id` DIV 2)\n(PARTITION `x` ENGINE = InnoDB,\n PARTITION `y` COMMENT = 'z')";
    expect(partitionRows(named, ['y'])).toEqual({
      sql: '((CASE WHEN (`id` DIV 2) IS NULL THEN ? ELSE ABS(MOD((`id` DIV 2), ?)) END) = ?)',
      params: [0, 2, 1],
    });
  });

  it('big and decimal bounds compare as DECIMAL', () => {
    const c = 'PARTITION BY RANGE (`id`) (PARTITION p0 VALUES LESS THAN (9007199254740993))';
    expect(partitionRows(c, ['p0'])).toEqual({
      sql: '(((((`id`) IS NULL OR (`id`) < CAST(? AS DECIMAL(65,30))))))',
      params: ['9007199254740993'],
    });
  });

  it('refuses what it cannot compute exactly', () => {
    const refused =
      (c: string, p = 'p0') =>
      () =>
        partitionRows(c, [p]);
    expect(refused('PARTITION BY LINEAR HASH (`id`) PARTITIONS 4')).toThrow(PartitionRowsRefused);
    expect(refused('PARTITION BY KEY (`id`) PARTITIONS 4')).toThrow(/KEY partitioning/);
    expect(refused('PARTITION BY LINEAR KEY (`id`) PARTITIONS 4')).toThrow(/LINEAR/);
    expect(
      refused('PARTITION BY RANGE (`id`) SUBPARTITION BY HASH (`id`) SUBPARTITIONS 2 (PARTITION p0 VALUES LESS THAN (5))'),
    ).toThrow(/subpartition/);
    expect(refused("PARTITION BY RANGE (`id`) (PARTITION p0 VALUES LESS THAN (to_days('2020-01-01')))")).toThrow(/not a literal/);
    expect(refused('PARTITION BY RANGE (`id`); DROP TABLE x (PARTITION p0 VALUES LESS THAN (5))')).toThrow(PartitionRowsRefused);
    expect(refused(RANGE, 'nope')).toThrow(/no partition nope/);
    expect(refused('PARTITION BY RANGE (`id` /* x */) (PARTITION p0 VALUES LESS THAN (5))')).toThrow(PartitionRowsRefused);
  });

  it('parses the definitions', () => {
    expect(parsePartitioning(RANGE).defs.map((d) => d.name)).toEqual(['p0', 'p1', 'p2']);
  });
});

describe('partitioningAfter', () => {
  it('drops and adds partition definitions, keeping the rest of the text', () => {
    expect(partitioningAfter(RANGE, { drop: ['P0'] })).toBe(
      'PARTITION BY RANGE (`id`)\n(PARTITION `p1` VALUES LESS THAN (20),\n PARTITION `p2` VALUES LESS THAN MAXVALUE)',
    );
    const r = 'PARTITION BY RANGE (`id`) (PARTITION p0 VALUES LESS THAN (10))';
    expect(partitioningAfter(r, { add: 'PARTITION p9 VALUES LESS THAN (90)' })).toBe(
      'PARTITION BY RANGE (`id`) (PARTITION p0 VALUES LESS THAN (10),\n PARTITION p9 VALUES LESS THAN (90))',
    );
  });

  it('undefined where it cannot tell', () => {
    expect(partitioningAfter(RANGE, { drop: ['nope'] })).toBeUndefined();
    expect(partitioningAfter('PARTITION BY KEY (id) PARTITIONS 2', { drop: ['p0'] })).toBeUndefined();
    expect(partitioningAfter('PARTITION BY HASH (id) PARTITIONS 2', { drop: ['p0'] })).toBeUndefined();
    expect(partitioningAfter(RANGE, { drop: ['p0', 'p1', 'p2'] })).toBeUndefined();
  });
});
