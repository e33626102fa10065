import { describe, expect, it } from 'vitest';
import { avroDefault, parseColumnDefault, sameDefault } from './column-default.ts';

// COLUMN_DEFAULT and EXTRA exactly as the servers of the local stack print them for the same
// CREATE TABLE (MariaDB 10.11 quotes string literals; MySQL 8 and TiDB print raw values).
describe('parseColumnDefault', () => {
  const maria = (raw: string | null, sqlType = 'int(11)', nullable = true, extra = '') =>
    parseColumnDefault({ flavor: 'mariadb', raw, extra, sqlType, nullable });
  const mysql = (raw: string | null, sqlType = 'int', nullable = true, extra = '') =>
    parseColumnDefault({ flavor: 'mysql', raw, extra, sqlType, nullable });

  it('tells no default from DEFAULT NULL', () => {
    expect(maria(null, 'int(11)', false)).toBeUndefined();
    expect(mysql(null, 'int', false)).toBeUndefined();
    expect(maria('NULL')).toEqual({ kind: 'null' });
    expect(mysql(null)).toEqual({ kind: 'null' });
    // A string default that reads NULL is a string.
    expect(maria("'NULL'", 'varchar(20)')).toEqual({ kind: 'text', value: 'NULL' });
    expect(mysql('NULL', 'varchar(20)')).toEqual({ kind: 'text', value: 'NULL' });
  });

  it('reads literals the same from both flavors', () => {
    expect(maria('7', 'int(11)', false)).toEqual({ kind: 'text', value: '7' });
    expect(mysql('7', 'int', false)).toEqual({ kind: 'text', value: '7' });
    expect(maria("'it''s'", 'varchar(20)')).toEqual({ kind: 'text', value: "it's" });
    expect(mysql("it's", 'varchar(20)')).toEqual({ kind: 'text', value: "it's" });
    expect(maria("'a\\\\b'", 'varchar(20)')).toEqual({ kind: 'text', value: 'a\\b' });
    expect(mysql('a\\b', 'varchar(20)')).toEqual({ kind: 'text', value: 'a\\b' });
    expect(maria("''", 'varchar(20)')).toEqual({ kind: 'text', value: '' });
    expect(mysql('', 'varchar(20)')).toEqual({ kind: 'text', value: '' });
    expect(maria("'2020-01-02 03:04:05'", 'datetime')).toEqual({ kind: 'text', value: '2020-01-02 03:04:05' });
    expect(maria('1.500', 'decimal(8,3)')).toEqual({ kind: 'text', value: '1.500' });
  });

  it('reads binary and bit literals as bytes, padded as the column stores them', () => {
    expect(maria("'ab\\0'", 'binary(3)')).toEqual({ kind: 'bytes', hex: '616200' });
    expect(mysql('0x6162', 'binary(3)')).toEqual({ kind: 'bytes', hex: '616200' });
    expect(mysql('ab\0', 'binary(3)')).toEqual({ kind: 'bytes', hex: '616200' }); // TiDB
    expect(mysql('0x7879', 'varbinary(5)')).toEqual({ kind: 'bytes', hex: '7879' });
    expect(maria("b'101'", 'bit(8)')).toEqual({ kind: 'bytes', hex: '05' });
    expect(mysql("b'101'", 'bit(12)')).toEqual({ kind: 'bytes', hex: '0005' });
  });

  it('reads expressions', () => {
    expect(maria('current_timestamp()', 'timestamp')).toEqual({ kind: 'expression', sql: 'current_timestamp()' });
    expect(mysql('CURRENT_TIMESTAMP', 'timestamp', true, 'DEFAULT_GENERATED')).toEqual({
      kind: 'expression',
      sql: 'CURRENT_TIMESTAMP',
    });
    // TiDB omits DEFAULT_GENERATED for CURRENT_TIMESTAMP.
    expect(mysql('CURRENT_TIMESTAMP(3)', 'datetime(3)')).toEqual({ kind: 'expression', sql: 'CURRENT_TIMESTAMP(3)' });
    expect(maria('(1 + 1)')).toEqual({ kind: 'expression', sql: '(1 + 1)' });
    expect(mysql('rand()', 'double', true, 'DEFAULT_GENERATED')).toEqual({ kind: 'expression', sql: 'rand()' });
  });
});

describe('sameDefault', () => {
  it('compares numbers by value, expressions by meaning, text exactly', () => {
    const t = (value: string) => ({ kind: 'text' as const, value });
    expect(sameDefault(t('1.500'), t('1.5'), 'decimal(8,3)')).toBe(true);
    expect(sameDefault(t('1.5'), t('1.50'), 'varchar(5)')).toBe(false);
    expect(sameDefault(t('07'), t('7'), 'int')).toBe(true);
    const e = (sql: string) => ({ kind: 'expression' as const, sql });
    expect(sameDefault(e('current_timestamp()'), e('CURRENT_TIMESTAMP'), 'timestamp')).toBe(true);
    expect(sameDefault(e('current_timestamp(3)'), e('CURRENT_TIMESTAMP(3)'), 'datetime(3)')).toBe(true);
    expect(sameDefault(e('(1 + 1)'), e('1+1'), 'int')).toBe(true);
    expect(sameDefault(e('rand()'), e('uuid()'), 'varchar(40)')).toBe(false);
    expect(sameDefault(undefined, { kind: 'null' }, 'int')).toBe(false);
    expect(sameDefault(undefined, undefined, 'int')).toBe(true);
  });
});

describe('avroDefault', () => {
  it('converts literals that round-trip exactly', () => {
    expect(avroDefault('int(11)', { kind: 'text', value: '7' })).toEqual({ value: 7 });
    expect(avroDefault('bigint(20)', { kind: 'text', value: '-9007199254740991' })).toEqual({ value: -9007199254740991 });
    expect(avroDefault('varchar(20)', { kind: 'text', value: "it's" })).toEqual({ value: "it's" });
    expect(avroDefault("enum('a','b')", { kind: 'text', value: 'b' })).toEqual({ value: 'b' });
    expect(avroDefault('date', { kind: 'text', value: '2020-01-02' })).toEqual({ value: 18263 });
    expect(avroDefault('datetime', { kind: 'text', value: '2020-01-02 03:04:05' })).toEqual({ value: 1577934245000 });
    expect(avroDefault('decimal(8,3)', { kind: 'text', value: '1.500' })).toEqual({ value: '\u0005\u00dc' });
    expect(avroDefault('varbinary(5)', { kind: 'bytes', hex: '7879' })).toEqual({ value: 'xy' });
    expect(avroDefault('double', { kind: 'text', value: '1.25' })).toEqual({ value: 1.25 });
  });

  it('gives none where the conversion is not exact or not a constant', () => {
    // Beyond 2^53 a JSON number is not exact.
    expect(avroDefault('bigint(20)', { kind: 'text', value: '9223372036854775807' })).toBeUndefined();
    expect(avroDefault('timestamp', { kind: 'expression', sql: 'current_timestamp()' })).toBeUndefined();
    expect(avroDefault('int(11)', { kind: 'null' })).toBeUndefined();
    expect(avroDefault('int(11)', { kind: 'text', value: 'x' })).toBeUndefined();
    expect(avroDefault('tinyint(4)', { kind: 'text', value: '1.5' })).toBeUndefined();
  });
});
