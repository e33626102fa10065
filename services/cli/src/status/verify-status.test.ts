import { describe, expect, it } from 'vitest';
import { verifyVerdict } from './verify-status.ts';

describe('verifyVerdict', () => {
  const running = { state: 'running', error: false, reason: '12 offsets to apply' };

  it('makes a sink whose target the last verify found different an error, naming the tables', () => {
    const v = verifyVerdict(running, {
      at: '2026-12-02T05:00:00.000Z',
      tables: 3,
      different: [
        { table: 'shop.items', status: 'different', rows: 2 },
        { table: 'shop.gone', status: 'missing', rows: 40 },
      ],
    });
    expect(v).toEqual({
      state: 'running',
      error: true,
      reason:
        'verify at 2026-12-02T05:00:00.000Z found 2 of 3 tables different: shop.items (2 rows), shop.gone (table missing); 12 offsets to apply',
    });
  });

  it('leaves the verdict alone when the last verify found the target equal, or none ran', () => {
    expect(verifyVerdict(running, { at: 'x', tables: 3, different: [] })).toBe(running);
    expect(verifyVerdict(running, undefined)).toBe(running);
  });
});
