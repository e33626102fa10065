import { describe, expect, it } from 'vitest';
import { PARTITION_HEADER, partitionHeaderOf } from './partition-header.ts';

describe('partitionHeaderOf', () => {
  it('reads the partitioning and a move', () => {
    const move = {
      id: 'f:1#move',
      op: 'exchange',
      table: { database: 'd', table: 't' },
      partition: 'p1',
      other: { database: 'd', table: 'x' },
      captured: { table: true, other: false },
      partitions: 3,
    };
    const h = { [PARTITION_HEADER]: Buffer.from(JSON.stringify({ partitioning: 'PARTITION BY HASH (id) PARTITIONS 2', move })) };
    expect(partitionHeaderOf(h)).toEqual({ partitioning: 'PARTITION BY HASH (id) PARTITIONS 2', move });
  });

  it('drops what is malformed', () => {
    expect(partitionHeaderOf({})).toBeUndefined();
    expect(partitionHeaderOf({ [PARTITION_HEADER]: 'not json' })).toBeUndefined();
    expect(partitionHeaderOf({ [PARTITION_HEADER]: JSON.stringify({ move: { id: 'x', op: 'swap' } }) })).toEqual({});
  });
});
