import { describe, expect, it } from 'vitest';
import { columnRules, selectTables } from './table-selection.ts';

const all = ['shop.items', 'shop.orders_00', 'shop.orders_01', 'crm.people', 'mysql.user'].map((n) => {
  const [database = '', table = ''] = n.split('.');
  return { database, table };
});

describe('selectTables', () => {
  it('takes every non-system table by default, named as in the target', () => {
    expect(
      selectTables(all, { patterns: [], routes: [] }).map((p) => `${p.source.table}->${p.target.database}.${p.target.table}`),
    ).toEqual(['items->shop.items', 'orders_00->shop.orders_00', 'orders_01->shop.orders_01', 'people->crm.people']);
  });

  it('narrows by --tables and by what capture includes', () => {
    const picked = selectTables(all, {
      patterns: ['shop.*'],
      capture: { include: ['*.*'], exclude: ['shop.orders_*'] },
      routes: [],
    });
    expect(picked.map((p) => p.source.table)).toEqual(['items']);
  });

  it('maps renames and skips shard merges', () => {
    const routes = [
      { from: 'shop.orders_*', to: 'shop.orders' },
      { from: 'crm.*', to: 'crm2.*' },
    ];
    const picked = selectTables(all, { patterns: [], routes });
    expect(picked.find((p) => p.source.table === 'people')?.target).toEqual({ database: 'crm2', table: 'people' });
    expect(picked.find((p) => p.source.table === 'orders_00')?.skip).toMatch(/merges 2 source tables/);
  });
});

describe('columnRules', () => {
  it('names excluded and masked columns', () => {
    const rule = columnRules({ exclude: ['shop.*.secret'], mask: ['*.people.email'] });
    expect(rule({ database: 'shop', table: 'items' }, 'secret')).toBe('excluded from capture');
    expect(rule({ database: 'crm', table: 'people' }, 'email')).toBe('masked by capture');
    expect(rule({ database: 'crm', table: 'people' }, 'name')).toBeUndefined();
  });
});
