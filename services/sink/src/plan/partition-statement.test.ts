import { describe, expect, it } from 'vitest';
import { partitionStatement } from './partition-statement.ts';

describe('partitionStatement', () => {
  it.each([
    ['ALTER TABLE t TRUNCATE PARTITION p0', { op: 'truncate', partitions: ['p0'] }],
    ['alter table `d`.`t` truncate partition p0, `p 1`', { op: 'truncate', partitions: ['p0', 'p 1'] }],
    ['ALTER TABLE t TRUNCATE PARTITION ALL', { op: 'truncate', partitions: 'all' }],
    ['ALTER TABLE t DROP PARTITION p2,p3;', { op: 'drop', partitions: ['p2', 'p3'] }],
    ['ALTER TABLE t DROP PARTITION IF EXISTS `p``x`', { op: 'drop', partitions: ['p`x'] }],
    ['ALTER TABLE 名前 /* c */ DROP PARTITION été', { op: 'drop', partitions: ['été'] }],
    ['ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE t2', { op: 'exchange', partitions: ['p0'] }],
    ['ALTER TABLE t CONVERT PARTITION p0 TO TABLE t2', { op: 'convert', partitions: ['p0'] }],
  ])('%s', (sql, want) => {
    expect(partitionStatement(sql)).toEqual(want);
  });

  it.each([
    ['ALTER TABLE t ADD PARTITION (PARTITION p9 VALUES LESS THAN (100))', 'ADD PARTITION (PARTITION p9 VALUES LESS THAN (100))'],
    [
      'ALTER TABLE `d`.t REORGANIZE PARTITION p0 INTO (PARTITION a VALUES LESS THAN (5), PARTITION b VALUES LESS THAN (10))',
      'REORGANIZE PARTITION p0 INTO (PARTITION a VALUES LESS THAN (5), PARTITION b VALUES LESS THAN (10))',
    ],
    ['ALTER TABLE t COALESCE PARTITION 2', 'COALESCE PARTITION 2'],
    ['ALTER TABLE t PARTITION BY HASH (id)\n  PARTITIONS 4', 'PARTITION BY HASH (id) PARTITIONS 4'],
    ['ALTER TABLE t REMOVE PARTITIONING', 'REMOVE PARTITIONING'],
    // Values keep their spaces (they say which rows a partition holds).
    [
      "ALTER TABLE t ADD  PARTITION (PARTITION `p  x` VALUES IN ('a  b', '/* c */'))",
      "ADD PARTITION (PARTITION `p  x` VALUES IN ('a  b', '/* c */'))",
    ],
  ])('%s: how the table is partitioned, applied by its clause', (sql, clause) => {
    expect(partitionStatement(sql)).toEqual({ op: 'define', clause });
  });

  it.each([
    'ALTER TABLE t ADD PARTITION (PARTITION p9 VALUES LESS THAN (100)); DROP TABLE x',
    'ALTER TABLE t ANALYZE PARTITION p0',
    'ALTER TABLE t REBUILD PARTITION p0',
    'ALTER TABLE t ADD COLUMN c INT',
    'ALTER TABLE t DROP PARTITION p0, ADD COLUMN x INT',
    'TRUNCATE TABLE t',
  ])('%s: no rows change', (sql) => {
    expect(partitionStatement(sql)).toBeUndefined();
    expect(partitionStatement(null)).toBeUndefined();
  });
});
