import { describe, expect, it } from 'vitest';
import { stopVerdict } from './stop-reason.ts';

const stop = {
  code: 'TARGET_REJECTED',
  message: 'target rejected the batch (1406): Data too long',
  topic: 'p.db.t',
  partition: 2,
  offset: '41',
  at: '2026-12-02T04:00:00.125Z',
};

describe('stopVerdict', () => {
  it('gives a stopped sink the reason it noted: code, record and message', () => {
    const v = stopVerdict({ state: 'stopped', error: false, reason: 'no members; nothing left to apply' }, stop);
    expect(v).toEqual({
      state: 'stopped',
      error: true,
      reason:
        'TARGET_REJECTED at p.db.t[2] offset 41 (2026-12-02T04:00:00.125Z): target rejected the batch (1406): Data too long',
    });
    expect(
      stopVerdict({ state: 'stopped', error: true, reason: 'x' }, { ...stop, topic: null, partition: null, offset: null }).reason,
    ).toBe('TARGET_REJECTED (2026-12-02T04:00:00.125Z): target rejected the batch (1406): Data too long');
  });

  it('leaves a running sink, or one without a stop row, as it was', () => {
    const running = { state: 'running' as const, error: false, reason: '' };
    expect(stopVerdict(running, stop)).toBe(running);
    const stopped = { state: 'stopped' as const, error: true, reason: 'no members' };
    expect(stopVerdict(stopped, undefined)).toBe(stopped);
  });
});
