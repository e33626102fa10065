import { PARTITION_HEADER } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { TargetChange } from '../decode/change-decoder.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { Router } from '../route/router.ts';
import { withPartitionHeader } from './partition-route.ts';

const table = { database: 'd', table: 'x', columns: [], key: [], keyIndexes: [], id: 'd.x' } as unknown as TargetTable;
const marker = (query: string): TargetChange => ({
  kind: 'schema',
  table,
  sourceTsMs: 0,
  position: 'f:1',
  version: '0',
  query,
});

describe('withPartitionHeader', () => {
  const router = new Router([{ from: 'd.*', to: 'e.*' }]);
  const move = {
    id: 'f:1#move',
    op: 'exchange',
    table: { database: 'd', table: 't' },
    partition: 'p1',
    other: { database: 'd', table: 'x' },
    captured: { table: true, other: true },
    partitions: 4,
  };

  it('a move marker of the other table: routed names, a barrier over both topics', () => {
    const at = { topic: 'pre.d.x', partition: 1, offset: '7' };
    const got = withPartitionHeader(
      marker('ALTER TABLE t EXCHANGE PARTITION p1 WITH TABLE x'),
      { [PARTITION_HEADER]: JSON.stringify({ partitioning: 'PARTITION BY HASH (id) PARTITIONS 2', move }) },
      1,
      router,
      at,
    );
    expect(got.kind === 'schema' && got.action).toEqual({
      kind: 'partition',
      statement: 'ALTER TABLE t EXCHANGE PARTITION p1 WITH TABLE x',
      position: 'f:1',
      partition: { op: 'exchange', partitions: ['p1'] },
      partitioning: 'PARTITION BY HASH (id) PARTITIONS 2',
      barrier: { id: 'f:1#move', partitions: 4, at: 1, marker: at },
      move: { ...move, target: { table: { database: 'e', table: 't' }, other: { database: 'e', table: 'x' } }, side: 'other' },
    });
  });

  it('a TRUNCATE PARTITION marker gets the partitioning; others pass', () => {
    const c = {
      ...marker('ALTER TABLE x TRUNCATE PARTITION p0'),
      action: { kind: 'partition', statement: 's', partition: { op: 'truncate', partitions: ['p0'] } },
    } as TargetChange;
    const got = withPartitionHeader(c, { [PARTITION_HEADER]: JSON.stringify({ partitioning: 'P' }) }, 0, router);
    expect(got.kind === 'schema' && got.action?.kind === 'partition' && got.action.partitioning).toBe('P');
    expect(withPartitionHeader(c, {}, 0, router)).toBe(c);
  });
});
