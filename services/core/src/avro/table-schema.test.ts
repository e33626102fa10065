import { describe, expect, it } from 'vitest';
import { tableKey } from './table-schema.ts';

describe('table keys', () => {
  it('print plain names as db.table and keep tables with dots apart', () => {
    expect(tableKey('shop', 'orders')).toBe('shop.orders');
    expect(tableKey('名前', 'a b;`c')).toBe('名前.a b;`c');
    const keys = [
      tableKey('a.b', 'c'),
      tableKey('a', 'b.c'),
      tableKey('a', 'b'),
      tableKey('["a', 'b","c"]'),
      tableKey('["a.b","c"]', 'x'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(tableKey('a.b', 'c')).toBe('["a.b","c"]');
  });
});
