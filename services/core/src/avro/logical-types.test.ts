import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  BigLongType,
  bigIntToBytes,
  bytesToBigInt,
  decimalText,
  exactAvroOptions,
  formatUnscaled,
  parseUnscaled,
  unscaledBytesFast,
} from './logical-types.ts';

describe('decimal encoding', () => {
  const max65 = `${'9'.repeat(35)}.${'9'.repeat(30)}`;
  it.each([
    ['0', 0, '0'],
    ['-123.4500', 4, '-123.4500'],
    ['1.5', 3, '1.500'],
    [max65, 30, max65],
    [`-${max65}`, 30, `-${max65}`],
    ['18446744073709551615', 0, '18446744073709551615'],
    ['-0.000000000000000000000000000001', 30, '-0.000000000000000000000000000001'],
    // Around the 6-byte boundary where decimalText leaves numbers for BigInt.
    ['140737488355327', 0, '140737488355327'],
    ['-140737488355328', 0, '-140737488355328'],
    ['140737488355328', 0, '140737488355328'],
    ['-1407374883553.28', 2, '-1407374883553.28'],
    ['-0.05', 2, '-0.05'],
    ['7', 5, '7.00000'],
  ])('%s at scale %i round-trips through bytes as %s', (text, scale, back) => {
    const n = parseUnscaled(text, scale);
    expect(formatUnscaled(bytesToBigInt(bigIntToBytes(n)), scale)).toBe(back);
    expect(decimalText(bigIntToBytes(n), scale)).toBe(back);
  });

  it('refuses to round', () => {
    expect(() => parseUnscaled('1.25', 1)).toThrow(/more than 1 fraction digits/);
  });

  it('uses minimal two-complement bytes', () => {
    expect(bigIntToBytes(127n)).toEqual(Buffer.from([0x7f]));
    expect(bigIntToBytes(128n)).toEqual(Buffer.from([0x00, 0x80]));
    expect(bigIntToBytes(-1n)).toEqual(Buffer.from([0xff]));
    expect(bigIntToBytes(-129n)).toEqual(Buffer.from([0xff, 0x7f]));
  });
});

describe('decimal fast path', () => {
  const exact = (text: string, scale: number) => bigIntToBytes(parseUnscaled(text, scale));

  it.each([
    ['0', 0],
    ['0.00', 2],
    ['-0.00', 2],
    ['1', 2],
    ['1.', 2],
    ['.5', 2],
    ['127', 0],
    ['128', 0],
    ['-128', 0],
    ['-129', 0],
    ['32767', 0],
    ['-32769', 0],
    ['8388607', 0],
    ['-8388608', 0],
    ['2147483647', 0],
    ['-2147483649', 0],
    ['5497558138.87', 2],
    ['-5497558138.88', 2],
    ['140737488355327', 0],
    ['-140737488355328', 0],
    ['-1407374883553.28', 2],
    ['9999999999.99', 2],
    ['-9999999999.99', 2],
    ['-0.05', 2],
    ['7', 5],
  ])('%s at scale %i: the same bytes as the exact path', (text, scale) => {
    expect(unscaledBytesFast(text, scale)).toEqual(exact(text, scale));
  });

  it('leaves what does not fit 6 bytes, or is not the binlog layout, to the exact path', () => {
    for (const [text, scale] of [
      ['140737488355328', 0],
      ['-140737488355329', 0],
      ['99999999999999999', 0],
      ['1.500', 2],
      ['+5', 0],
      [' 5', 0],
      ['1.2.3', 2],
      ['-', 0],
      ['.', 0],
      ['', 0],
      ['1e5', 0],
    ] as const) {
      expect(unscaledBytesFast(text, scale), `${text} at ${scale}`).toBeUndefined();
    }
  });

  it('agrees with the exact path on random values of every width up to 6 bytes', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 5_000; i++) {
      const scale = next() % 6;
      const width = 1 + (next() % 15);
      const digits = String(next() * 2 ** 31 + next()).slice(0, width);
      const text = `${next() % 2 ? '-' : ''}${scale ? `${digits.slice(0, -scale) || '0'}.${digits.slice(-scale).padStart(scale, '0')}` : digits}`;
      const fast = unscaledBytesFast(text, scale);
      if (fast) expect(fast, text).toEqual(exact(text, scale));
      else
        expect(bytesToBigInt(exact(text, scale)) >= 2n ** 47n || bytesToBigInt(exact(text, scale)) < -(2n ** 47n), text).toBe(
          true,
        );
    }
  });
});

describe('long writes', () => {
  it.each([
    0,
    -1,
    2 ** 47 - 1,
    2 ** 47,
    -(2 ** 47),
    -(2 ** 47) - 1,
    2 ** 52,
    -(2 ** 52) - 12345,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    1_764_460_800_123_456,
  ])('%d: a number writes the bytes of the same bigint', (n) => {
    expect(BigLongType.toBuffer(n)).toEqual(BigLongType.toBuffer(BigInt(n)));
    expect(BigLongType.fromBuffer(BigLongType.toBuffer(n))).toBe(BigInt(n));
  });
});

describe('exact avro options', () => {
  const type = avro.Type.forSchema(
    {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'big', type: 'long' },
        { name: 'ubig', type: { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 0 } },
        { name: 'dec', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 65, scale: 30 }] },
      ],
    } as avro.Schema,
    exactAvroOptions as never,
  );

  it('keeps longs beyond 2^53 and decimals exact', () => {
    const value = {
      big: -9223372036854775808n,
      ubig: '18446744073709551615',
      dec: '12345678901234567890123456789012345.123456789012345678901234567890',
    };
    expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
  });
});
