import { describe, expect, it } from 'vitest';
import { Router } from './router.ts';

describe('Router', () => {
  const r = new Router([
    { from: 'shop.orders_*', to: 'shop.orders' },
    { from: 'legacy.*', to: 'modern.*' },
    { from: 'a.x', to: 'b.y' },
  ]);

  it('merges shards into one table', () => {
    expect(r.name('shop', 'orders_07')).toEqual({ database: 'shop', table: 'orders' });
  });

  it('renames a database and keeps table names', () => {
    expect(r.name('legacy', 'customers')).toEqual({ database: 'modern', table: 'customers' });
  });

  it('renames one table, and leaves unmatched tables alone', () => {
    expect(r.name('a', 'x')).toEqual({ database: 'b', table: 'y' });
    expect(r.name('shop', 'items')).toEqual({ database: 'shop', table: 'items' });
  });
});
