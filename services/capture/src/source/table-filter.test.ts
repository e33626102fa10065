import { describe, expect, it } from 'vitest';
import { TableFilter } from './table-filter.ts';

describe('TableFilter', () => {
  it('captures every non-system database by default', () => {
    const f = new TableFilter({ include: ['*.*'], exclude: [] });
    expect(f.matches('shop', 'orders')).toBe(true);
    for (const db of ['mysql', 'information_schema', 'performance_schema', 'sys']) expect(f.matches(db, 'x')).toBe(false);
  });

  it('narrows with include and exclude patterns; exclude wins', () => {
    const f = new TableFilter({ include: ['shop.*', 'crm.customer?'], exclude: ['shop.tmp_*'] });
    expect(f.matches('shop', 'orders')).toBe(true);
    expect(f.matches('shop', 'tmp_1')).toBe(false);
    expect(f.matches('crm', 'customers')).toBe(true);
    expect(f.matches('crm', 'customer_notes')).toBe(false);
    expect(f.matches('shopping', 'orders')).toBe(false);
  });

  it('never captures the tables it is told to skip (online schema-change tools)', () => {
    const f = new TableFilter({ include: ['*.*'], exclude: [] }, (t) => t.endsWith('_gho'));
    expect(f.matches('shop', 'orders')).toBe(true);
    expect(f.matches('shop', '_orders_gho')).toBe(false);
  });

  it('knows the databases whose CREATE/DROP DATABASE matter', () => {
    const f = new TableFilter({ include: ['shop.*', 'crm.customer?', 'iso_*.*'], exclude: ['iso_skip*.*', 'shop.tmp_*'] });
    expect(['shop', 'crm', 'iso_a'].map((d) => f.mayCapture(d))).toEqual([true, true, true]);
    expect(['shopping', 'other', 'iso_skip1', 'mysql'].map((d) => f.mayCapture(d))).toEqual([false, false, false, false]);
  });
});
