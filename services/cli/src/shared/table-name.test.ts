import { describe, expect, it } from 'vitest';
import { parseTableName } from './table-name.ts';

describe('parseTableName', () => {
  it.each([
    ['shop.orders', { db: 'shop', table: 'orders' }],
    ['shop.名前表', { db: 'shop', table: '名前表' }],
    ['`a.b`.`t.dot`', { db: 'a.b', table: 't.dot' }],
    ['`my db`.`a``b;c`', { db: 'my db', table: 'a`b;c' }],
    ['shop.`t.dot`', { db: 'shop', table: 't.dot' }],
    ['shop', undefined],
    ['a.b.c', undefined],
    ['my db.t', undefined],
    ['`a`b`.t', undefined],
  ])('%s', (text, want) => {
    expect(parseTableName(text)).toEqual(want);
  });
});
