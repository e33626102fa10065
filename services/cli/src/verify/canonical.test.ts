import { describe, expect, it } from 'vitest';
import { canonicalExpr, exactValueExpr, floatCanonical, kindOf } from './canonical.ts';

describe('column kinds', () => {
  it.each([
    ['bigint', 'integer'],
    ['DECIMAL', 'decimal'],
    ['float', 'float'],
    ['double', 'float'],
    ['timestamp', 'temporal'],
    ['year', 'temporal'],
    ['enum', 'text'],
    ['longtext', 'text'],
    ['varbinary', 'binary'],
    ['bit', 'bit'],
    ['json', 'json'],
    ['geometry', 'binary'],
    ['geomcollection', 'binary'],
    ['vector', 'unsupported'],
  ])('%s is %s', (type, kind) => expect(kindOf(type)).toBe(kind));
});

describe('canonical expressions', () => {
  it('hashes text as UTF-8 bytes in hex, whatever the column charset', () => {
    expect(canonicalExpr('name', 'text')).toBe('HEX(CONVERT(`name` USING utf8mb4))');
  });

  it('prints BIT as its number and binary as hex', () => {
    expect(canonicalExpr('b', 'bit')).toBe('CAST(`b` AS UNSIGNED)');
    expect(canonicalExpr('blob', 'binary')).toBe('HEX(`blob`)');
  });

  it('leaves integers, decimals and temporals to the servers, which print them alike', () => {
    expect(canonicalExpr('d', 'decimal')).toBe('`d`');
    expect(canonicalExpr('t', 'temporal')).toBe('`t`');
  });

  it('has no expression for types it cannot compare', () => {
    expect(canonicalExpr('g', 'unsupported')).toBeNull();
  });

  it('quotes odd column names', () => {
    expect(canonicalExpr('we`ird', 'integer')).toBe('`we``ird`');
  });

  it('rewrites floats into digits and exponent, widened to DOUBLE first', () => {
    const sql = floatCanonical('`f`');
    expect(sql).toContain('(`f` + 0e0)');
    expect(sql).toMatch(/^IF\(\(`f` \+ 0e0\) IS NULL, NULL, /);
    expect(sql).toContain("SUBSTRING_INDEX(LOWER(CAST(ABS((`f` + 0e0)) AS CHAR)), 'e', 1)");
  });

  it('reads FLOAT back widened, since the text protocol prints six digits of it', () => {
    expect(exactValueExpr('f', 'float')).toBe('(`f` + 0e0)');
    expect(exactValueExpr('i', 'integer')).toBe('`i`');
  });
});

/**
 * The float normaliser mirrored in JavaScript over the texts servers print: the SQL does the
 * same string steps, and the integration test runs it on MariaDB, MySQL and TiDB.
 */
function normalise(text: string): string {
  const neg = text.startsWith('-');
  const s = (neg ? text.slice(1) : text).toLowerCase();
  const [mantissa = '', exp = '0'] = s.split('e');
  const all = mantissa.replace('.', '');
  const digits = all.replace(/^0+/, '').replace(/0+$/, '');
  const lz = all.length - all.replace(/^0+/, '').length;
  const e = (mantissa.split('.')[0] ?? '').length - lz - 1 + Number(exp);
  return digits === '' ? '0' : `${neg ? '-' : ''}${digits}e${e}`;
}

describe('float normalisation (the steps of the SQL)', () => {
  it.each([
    ['3.4028234663852886e38', '340282346638528860000000000000000000000'],
    ['2.2250738585072014e-308', `0.${'0'.repeat(307)}22250738585072014`],
    ['1e15', '1000000000000000'],
    ['1.2345678901234567e19', '12345678901234567000'],
    ['0.1', '0.1'],
    ['100', '100'],
    ['1.5e-7', '0.00000015'],
  ])('%s (MariaDB, MySQL) equals %s (TiDB)', (exp, plain) => {
    expect(normalise(exp)).toBe(normalise(plain));
  });

  it('gives 0 for zero and keeps the sign', () => {
    expect(normalise('0')).toBe('0');
    expect(normalise('-1.5')).toBe('-15e0');
    expect(normalise('123.456')).toBe('123456e2');
  });
});
