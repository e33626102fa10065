import { describe, expect, it } from 'vitest';
import { Router } from './router.ts';

describe('Router', () => {
  const r = new Router([
    { from: 'shop.orders_*', to: 'shop.orders' },
    { from: 'legacy.*', to: 'modern.*' },
    { from: 'a.x', to: 'b.y' },
  ]);

  it('merges shards into one table', () => {
    expect(r.name('shop', 'orders_07')).toEqual({ database: 'shop', table: 'orders', merged: true });
  });

  it('renames a database and keeps table names', () => {
    expect(r.name('legacy', 'customers')).toEqual({ database: 'modern', table: 'customers', merged: false });
  });

  it('renames one table, and leaves unmatched tables alone', () => {
    expect(r.name('a', 'x')).toEqual({ database: 'b', table: 'y', merged: false });
    expect(r.name('shop', 'items')).toEqual({ database: 'shop', table: 'items' });
  });

  it('marks a table that several sources merge into as shared, and only that one', () => {
    const layout = { database: 'shop', table: 'orders_07', columns: [], key: [], keyIndexes: [], id: 'L1' };
    expect(r.route(layout)).toMatchObject({ database: 'shop', table: 'orders', shared: true });
    expect(r.route({ ...layout, database: 'legacy', table: 'c', id: 'L2' })).toMatchObject({ database: 'modern', shared: false });
    expect(new Router([{ from: 'shop.orders_0?', to: 'shop.orders' }]).name('shop', 'orders_01').merged).toBe(true);
  });
});

describe('Router with names that hold a dot', () => {
  it('matches and maps the database and the table apart: a dot a wildcard took stays where it was', () => {
    const r = new Router([{ from: '*.*', to: '*_copy.*' }]);
    // Joined as `x.y.t`, the first * took `x.y` and the name was split at its first dot: database `x`.
    expect(r.name('x.y', 't')).toEqual({ database: 'x.y_copy', table: 't', merged: false });
    expect(r.name('d', 'a.b')).toEqual({ database: 'd_copy', table: 'a.b', merged: false });
    expect(new Router([{ from: 'legacy.*', to: 'modern.*' }]).name('legacy', 'v1.2')).toEqual({
      database: 'modern',
      table: 'v1.2',
      merged: false,
    });
    // A pattern's first dot parts database and table: `legacy.*` does not take database `legacy.x`.
    expect(new Router([{ from: 'legacy.*', to: 'modern.*' }]).name('legacy.x', 't')).toEqual({
      database: 'legacy.x',
      table: 't',
    });
  });
});
