import { describe, expect, it } from 'vitest';
import { ddlVerdict } from './ddl-pending.ts';

describe('status of a sink stopped at a refused DDL', () => {
  const stopped = { state: 'stopped', error: false, reason: 'no members; nothing left to apply' };
  it('is an error naming the change and the commands, whatever the lag says', () => {
    const v = ddlVerdict('tidb-a', stopped, [
      {
        kind: 'pending',
        ddlId: '0123456789abcdef',
        table: 'shop.orders',
        sourceTable: 'shop.orders',
        sourcePosition: 'f:4',
        error: 'x',
      },
      { kind: 'pending', ddlId: 'fedcba9876543210', table: 'shop.items', sourceTable: null, sourcePosition: null, error: null },
    ]);
    expect(v).toEqual({
      state: 'stopped',
      error: true,
      reason:
        'DDL_REJECTED: the target refused DDL 0123456789abcdef of shop.orders (and 1 more): sluice ddl list --sink tidb-a, then skip or replace it and restart the sink',
    });
  });
  it('says a shard is held, without making it an error by itself', () => {
    const running = { state: 'running', error: false, reason: '3 offsets to apply' };
    const v = ddlVerdict('s', running, [
      { kind: 'held', ddlId: 'abc', table: 'm.orders', sourceTable: 'shop.orders_0', sourcePosition: null, error: 'x' },
    ]);
    expect(v).toEqual({
      state: 'running',
      error: false,
      reason:
        'SHARD_DDL_PENDING: shard shop.orders_0 held until the other shards of m.orders reach its change (sluice ddl list --sink s); 3 offsets to apply',
    });
  });

  it('names the code of a refused DDL marker, and makes a rename never applied an error with its message', () => {
    const marker = ddlVerdict('s', stopped, [
      {
        kind: 'pending',
        ddlId: '0123456789abcdef',
        table: 'shop.pt',
        sourceTable: null,
        sourcePosition: 'f:9',
        error: 'PARTITION_DDL_UNSUPPORTED: it is not partitioned',
      },
    ]);
    expect(marker.reason).toBe(
      'PARTITION_DDL_UNSUPPORTED: the target refused DDL 0123456789abcdef of shop.pt: sluice ddl list --sink s, then skip or replace it and restart the sink',
    );
    const running = { state: 'running', error: false, reason: '3 offsets to apply' };
    const rename = ddlVerdict('s', running, [
      {
        kind: 'held',
        ddlId: 'abc',
        table: 'shop.t2',
        sourceTable: 'shop.t',
        sourcePosition: null,
        error: 'RENAME_NOT_APPLIED: sink s: rows of shop.t2 wait for the rename of shop.t to shop.t2 (...)',
      },
    ]);
    expect(rename).toEqual({
      state: 'running',
      error: true,
      reason: 'RENAME_NOT_APPLIED: sink s: rows of shop.t2 wait for the rename of shop.t to shop.t2 (...); 3 offsets to apply',
    });
  });

  it('leaves the verdict alone when nothing is pending', () => {
    expect(ddlVerdict('s', stopped, [])).toBe(stopped);
  });
});
