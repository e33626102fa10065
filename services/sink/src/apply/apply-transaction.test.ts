import { describe, expect, it } from 'vitest';
import { ApplyTransactionMode, beginApplySql } from './apply-transaction.ts';

const OPTIMISTIC = 'BEGIN /*T! OPTIMISTIC */';
const PESSIMISTIC = 'START TRANSACTION';

describe('apply transaction mode', () => {
  it('begins optimistically, pessimistically under the stale-write guard', () => {
    expect(beginApplySql(false)).toBe(OPTIMISTIC);
    expect(beginApplySql(true)).toBe(PESSIMISTIC);
    expect(new ApplyTransactionMode(false).begin()).toBe(OPTIMISTIC);
    expect(new ApplyTransactionMode(true).begin()).toBe(PESSIMISTIC);
  });

  it('locks as it writes after a write conflict, until a transaction commits', () => {
    const mode = new ApplyTransactionMode(false);
    mode.failed({ errno: 9007, message: 'Write conflict' });
    expect(mode.begin()).toBe(PESSIMISTIC);
    mode.failed({ errno: 1205 }); // a lock wait of the pessimistic retry: still pessimistic
    expect(mode.begin()).toBe(PESSIMISTIC);
    mode.committed();
    expect(mode.begin()).toBe(OPTIMISTIC);
    mode.failed({ errno: 8002 });
    expect(mode.begin()).toBe(PESSIMISTIC);
  });

  it('stays optimistic after failures that are not write conflicts', () => {
    const mode = new ApplyTransactionMode(false);
    for (const err of [{ errno: 8028 }, { errno: 1062 }, new Error('connection lost'), undefined]) mode.failed(err);
    expect(mode.begin()).toBe(OPTIMISTIC);
  });

  it('stays pessimistic under the guard whatever happens', () => {
    const mode = new ApplyTransactionMode(true);
    mode.committed();
    expect(mode.begin()).toBe(PESSIMISTIC);
  });
});
