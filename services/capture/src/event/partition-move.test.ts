import { describe, expect, it } from 'vitest';
import { partitionMoveOf } from './partition-move.ts';

describe('partitionMoveOf', () => {
  it('EXCHANGE PARTITION, with or without validation', () => {
    expect(partitionMoveOf('ALTER TABLE t EXCHANGE PARTITION p1 WITH TABLE `o`.`x`', 'd')).toEqual({
      op: 'exchange',
      table: { database: 'd', table: 't' },
      partition: 'p1',
      other: { database: 'o', table: 'x' },
    });
    expect(partitionMoveOf('alter table `d`.`t` exchange partition `p 1` with table x without validation;', 'e')).toMatchObject({
      table: { database: 'd', table: 't' },
      partition: 'p 1',
      other: { database: 'e', table: 'x' },
    });
    expect(partitionMoveOf('ALTER TABLE `t  1` EXCHANGE PARTITION p1 WITH TABLE `x\t#2`', 'd')).toMatchObject({
      table: { database: 'd', table: 't  1' },
      other: { database: 'd', table: 'x\t#2' },
    });
  });

  it('CONVERT PARTITION TO TABLE and CONVERT TABLE TO PARTITION', () => {
    expect(partitionMoveOf('ALTER TABLE t CONVERT PARTITION p0 TO TABLE t_old', 'd')).toEqual({
      op: 'out',
      table: { database: 'd', table: 't' },
      partition: 'p0',
      other: { database: 'd', table: 't_old' },
    });
    expect(partitionMoveOf('ALTER TABLE t CONVERT TABLE t_new TO PARTITION p9 VALUES LESS THAN (90)', 'd')).toEqual({
      op: 'in',
      table: { database: 'd', table: 't' },
      partition: 'p9',
      other: { database: 'd', table: 't_new' },
      definition: 'PARTITION p9 VALUES LESS THAN (90)',
    });
  });

  it('anything else is not a move', () => {
    expect(partitionMoveOf('ALTER TABLE t DROP PARTITION p0', 'd')).toBeUndefined();
    expect(partitionMoveOf('ALTER TABLE t CONVERT TABLE x TO PARTITION p VALUES IN (1)); DROP TABLE y', 'd')).toBeUndefined();
    expect(partitionMoveOf('ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4', 'd')).toBeUndefined();
  });
});
