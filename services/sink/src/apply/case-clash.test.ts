import { SluiceError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { CaseClash } from './case-clash.ts';

describe('tables that a case-insensitive target would merge', () => {
  it('lets one table through under any number of calls, and stops a second that differs only in case', () => {
    const names = new CaseClash();
    names.check({ database: 'shop', table: 'T' });
    names.check({ database: 'shop', table: 'T' });
    names.check({ database: 'shop', table: 'u' });
    names.check({ database: 'other', table: 't' });
    const err = (() => {
      try {
        names.check({ database: 'shop', table: 't' });
      } catch (e) {
        return e;
      }
    })() as SluiceError;
    expect(err).toBeInstanceOf(SluiceError);
    expect(err).toMatchObject({ code: 'TARGET_NAME_CLASH', retriable: false });
    expect(err.message).toContain('shop.T');
    expect(err.message).toContain('shop.t');
    expect(() => names.check({ database: 'SHOP', table: 'u' })).toThrow(/TARGET_NAME_CLASH|shop\.u/);
  });

  it('keeps unicode names apart that differ in more than case', () => {
    const names = new CaseClash();
    names.check({ database: 'd', table: 'Été' });
    expect(() => names.check({ database: 'd', table: 'été' })).toThrow(SluiceError);
    names.check({ database: 'd', table: '名前' });
    names.check({ database: 'd', table: 'a.b' });
    names.check({ database: 'd.a', table: 'b' });
  });
});
