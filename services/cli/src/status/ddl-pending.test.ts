import { describe, expect, it } from 'vitest';
import { ddlVerdict } from './ddl-pending.ts';

describe('status of a sink stopped at a refused DDL', () => {
  const stopped = { state: 'stopped', error: false, reason: 'no members; nothing left to apply' };
  it('is an error naming the change and the commands, whatever the lag says', () => {
    const v = ddlVerdict('tidb-a', stopped, [
      { ddlId: '0123456789abcdef', table: 'shop.orders', sourceTable: 'shop.orders', sourcePosition: 'f:4', error: 'x' },
      { ddlId: 'fedcba9876543210', table: 'shop.items', sourceTable: null, sourcePosition: null, error: null },
    ]);
    expect(v).toEqual({
      state: 'stopped',
      error: true,
      reason:
        'DDL_REJECTED: the target refused DDL 0123456789abcdef of shop.orders (and 1 more): sluice ddl list --sink tidb-a, then skip or replace it and restart the sink',
    });
  });
  it('leaves the verdict alone when nothing is pending', () => {
    expect(ddlVerdict('s', stopped, [])).toBe(stopped);
  });
});
