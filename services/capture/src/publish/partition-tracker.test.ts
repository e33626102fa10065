import { describe, expect, it } from 'vitest';
import { PartitionTracker } from './partition-tracker.ts';

const RANGE = 'PARTITION BY RANGE (`id`)\n(PARTITION `p0` VALUES LESS THAN (10),\n PARTITION `p1` VALUES LESS THAN (20))';

describe('PartitionTracker', () => {
  it('follows TRUNCATE, DROP and CONVERT statements, not the catalog read later', async () => {
    const p = new PartitionTracker();
    const later = async () => 'PARTITION BY RANGE (`id`)\n(PARTITION `p1` VALUES LESS THAN (20))';
    expect(await p.before('d.t', async () => RANGE)).toBe(RANGE);
    p.after('d.t', RANGE, 'ALTER TABLE t TRUNCATE PARTITION p1', 'd');
    expect(await p.before('d.t', later)).toBe(RANGE);
    p.after('d.t', RANGE, 'ALTER TABLE `d`.`t` DROP PARTITION `p0`', 'd');
    expect(await p.before('d.t', later)).toBe('PARTITION BY RANGE (`id`)\n(PARTITION `p1` VALUES LESS THAN (20))');
    p.after('d.t', await p.before('d.t', later), 'ALTER TABLE t CONVERT TABLE x TO PARTITION p2 VALUES LESS THAN (30)', 'd');
    expect(await p.before('d.t', later)).toBe(
      'PARTITION BY RANGE (`id`)\n(PARTITION `p1` VALUES LESS THAN (20),\n PARTITION p2 VALUES LESS THAN (30))',
    );
  });

  it('forgets after statements it cannot follow', async () => {
    const p = new PartitionTracker();
    p.after('d.t', RANGE, 'ALTER TABLE t TRUNCATE PARTITION p1', 'd');
    p.after(
      'd.t',
      RANGE,
      'ALTER TABLE t REORGANIZE PARTITION p1 INTO (PARTITION a VALUES LESS THAN (15), PARTITION b VALUES LESS THAN (20))',
      'd',
    );
    expect(await p.before('d.t', async () => 'x')).toBe('x');
    p.after('d.t', RANGE, 'ALTER TABLE t TRUNCATE PARTITION p1', 'd');
    p.forget('d.t');
    expect(await p.before('d.t', async () => undefined)).toBeUndefined();
  });

  it('tells which partitionings can be the table right before a statement', () => {
    const fits = (sql: string) => PartitionTracker.fits(sql, 'd');
    const without = 'PARTITION BY RANGE (`id`)\n(PARTITION `p1` VALUES LESS THAN (20))';
    expect(fits('ALTER TABLE t CONVERT PARTITION p0 TO TABLE t0')(RANGE)).toBe(true);
    expect(fits('ALTER TABLE t CONVERT PARTITION p0 TO TABLE t0')(without)).toBe(false);
    expect(fits('ALTER TABLE t EXCHANGE PARTITION `P0` WITH TABLE x')(RANGE)).toBe(true);
    expect(fits('ALTER TABLE t TRUNCATE PARTITION p0, p1')(without)).toBe(false);
    expect(fits('ALTER TABLE t TRUNCATE PARTITION ALL')(without)).toBe(true);
    expect(fits('ALTER TABLE t DROP PARTITION p1')(without)).toBe(true);
    expect(fits('ALTER TABLE t CONVERT TABLE x TO PARTITION p1 VALUES LESS THAN (20)')(without)).toBe(false);
    expect(fits('ALTER TABLE t CONVERT TABLE x TO PARTITION p2 VALUES LESS THAN (30)')(without)).toBe(true);
    // KEY partitioning: its partitions are not told, any statement fits.
    expect(fits('ALTER TABLE t TRUNCATE PARTITION p9')('PARTITION BY KEY (`id`) PARTITIONS 2')).toBe(true);
  });
});
