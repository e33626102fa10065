import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { bigIntToBytes, bytesToBigInt, decimalText, exactAvroOptions, formatUnscaled, parseUnscaled } from './logical-types.ts';

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
