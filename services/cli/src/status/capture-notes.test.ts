import { describe, expect, it } from 'vitest';
import { noteVerdict } from './capture-notes.ts';

const streaming = { state: 'streaming', error: false, reason: '' };
const failing = {
  state: 'failing' as const,
  code: 'SOURCE_UNREACHABLE',
  message: 'cannot connect to the source',
  failures: 4,
  since: '2026-12-02T05:00:00.000Z',
  at: '2026-12-02T05:00:09.000Z',
};

describe('noteVerdict', () => {
  it('makes a capture failing after its last checkpoint an error with code, since and message', () => {
    expect(noteVerdict(streaming, failing, Date.parse('2026-12-02T04:59:00Z'))).toEqual({
      state: 'failing',
      error: true,
      reason:
        'SOURCE_UNREACHABLE (failing since 2026-12-02T05:00:00.000Z, 4 runs failed in a row; capture retries): cannot connect to the source',
    });
    expect(noteVerdict(streaming, { ...failing, state: 'stopped', failures: 0, since: null }, undefined).reason).toBe(
      'SOURCE_UNREACHABLE (stopped at 2026-12-02T05:00:09.000Z): cannot connect to the source',
    );
  });

  it('ignores a note older than the last checkpoint, and a running one', () => {
    expect(noteVerdict(streaming, failing, Date.parse('2026-12-02T05:01:00Z'))).toBe(streaming);
    expect(noteVerdict(streaming, { ...failing, state: 'running' }, undefined)).toBe(streaming);
    expect(noteVerdict(streaming, undefined, undefined)).toBe(streaming);
  });
});
