import { describe, expect, it } from 'vitest';
import { decimalCompare, parseRowExpression, type Value } from './row-expression.ts';

const row = (r: Record<string, Value>) => (c: string) => r[c];
const keeps = (expr: string, r: Record<string, Value>) => parseRowExpression(expr).test(row(r));

describe('row filter expressions', () => {
  it('compares numbers, text and NULL the way SQL does', () => {
    expect(keeps('amount >= 10', { amount: 10 })).toBe(true);
    expect(keeps('amount >= 10', { amount: 9 })).toBe(false);
    // NULL compares as unknown: the row is not kept, and NOT unknown is unknown too.
    expect(keeps('amount >= 10', { amount: null })).toBe(false);
    expect(keeps('NOT (amount >= 10)', { amount: null })).toBe(false);
    expect(keeps("status = 'paid' AND note IS NULL", { status: 'paid', note: null })).toBe(true);
    expect(keeps("status <> 'paid' OR note IS NOT NULL", { status: 'paid', note: null })).toBe(false);
    // unknown OR true is true; unknown AND false is false.
    expect(keeps('amount > 1 OR id = 7', { amount: null, id: 7 })).toBe(true);
    expect(keeps('NOT (amount > 1 AND id = 8)', { amount: null, id: 7 })).toBe(true);
  });

  it('compares decimal and big integer text exactly', () => {
    expect(keeps('price > 0.1', { price: '0.10000000000000000001' })).toBe(true);
    expect(keeps('price = 12.50', { price: '12.5' })).toBe(true);
    expect(keeps('big > 18446744073709551614', { big: '18446744073709551615' })).toBe(true);
    expect(keeps('big > 18446744073709551615', { big: '18446744073709551615' })).toBe(false);
    expect(keeps('d < -1.5', { d: '-2' })).toBe(true);
    expect(keeps('f > 1e3', { f: 1500.5 })).toBe(true);
    expect(decimalCompare('-0.0', '0')).toBe(0);
    expect(decimalCompare('007.100', '7.1')).toBe(0);
    expect(decimalCompare('-10', '-9.99')).toBe(-1);
  });

  it('has IN, NOT IN, LIKE with escapes, TRUE/FALSE and quoted, unicode and odd column names', () => {
    expect(keeps('region IN (1, 2, 3)', { region: 2 })).toBe(true);
    expect(keeps('region NOT IN (1, 2, 3)', { region: 2 })).toBe(false);
    // x NOT IN (1, NULL) is unknown when x is not 1.
    expect(keeps('region NOT IN (1, NULL)', { region: 2 })).toBe(false);
    expect(keeps("name LIKE 'a\\_%'", { name: 'a_b' })).toBe(true);
    expect(keeps("name LIKE 'a\\_%'", { name: 'ab' })).toBe(false);
    expect(keeps("name NOT LIKE '%x%'", { name: 'été' })).toBe(true);
    expect(keeps('`order.total;` > 1 AND `back``tick` = 1 AND größe = 2', { 'order.total;': 0, 'back`tick': 1, größe: 2 })).toBe(
      false,
    );
    expect(() => parseRowExpression('`t`.`c` = 1')).toThrow(/unexpected "\." at character 4/);
    expect(keeps('`a;b` = 1 AND größe = 2', { 'a;b': 1, größe: 2 })).toBe(true);
    expect(keeps('active', { active: 1 })).toBe(true);
    expect(keeps('active = TRUE', { active: 0 })).toBe(false);
    expect(keeps("'it''s' = s", { s: "it's" })).toBe(true);
    expect(keeps("b = 'ab'", { b: Buffer.from('ab') })).toBe(true);
  });

  it('lists the columns it reads and names a column the row lacks', () => {
    expect(parseRowExpression('a = 1 OR (b IS NULL AND `c d` IN (1))').columns).toEqual(['a', 'b', 'c d']);
    expect(() => keeps('gone = 1', { a: 1 })).toThrow(/FILTER_COLUMN_MISSING|no column gone/);
  });

  it('refuses what it cannot parse, naming the place, and never takes SQL', () => {
    expect(() => parseRowExpression('a = ')).toThrow(/unexpected end at character 5/);
    expect(() => parseRowExpression("a = 'x")).toThrow(/unterminated string at character 5/);
    expect(() => parseRowExpression('a = 1; DROP TABLE t')).toThrow(/unexpected ";" at character 6/);
    expect(() => parseRowExpression('a = (SELECT 1)')).toThrow(/unexpected SELECT|expected "\)"/);
    expect(() => parseRowExpression('a + 1 = 2')).toThrow(/unexpected "\+"/);
    expect(() => parseRowExpression('a LIKE b')).toThrow(/LIKE takes a quoted pattern/);
    expect(() => parseRowExpression('42')).toThrow(/not a condition/);
    expect(() => parseRowExpression('a IS 1')).toThrow(/expected NULL after IS/);
  });
});
