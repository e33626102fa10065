import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroReader } from './binary-reader.ts';
import { BigLongType } from './logical-types.ts';

const longType = avro.Type.forSchema('long', { typeHook: (s: unknown) => (s === 'long' ? BigLongType : undefined) } as never);

describe('AvroReader', () => {
  it.each([
    0n,
    -1n,
    1n,
    63n,
    -64n,
    2n ** 49n - 1n,
    2n ** 49n,
    -(2n ** 49n),
    2n ** 52n - 1n,
    -(2n ** 52n),
    2n ** 52n,
    2n ** 53n - 1n,
    -(2n ** 53n) + 1n,
    2n ** 53n,
    -(2n ** 53n),
    2n ** 63n - 1n,
    -(2n ** 63n),
  ])('reads long %s exactly: a number while safe, a bigint beyond', (n) => {
    const v = new AvroReader(longType.toBuffer(n)).long();
    expect(BigInt(v)).toBe(n);
    // The zig-zag form doubles the magnitude: numbers up to 2^52 stay exact in a double.
    expect(typeof v).toBe(n >= -(2n ** 52n) && n < 2n ** 52n ? 'number' : 'bigint');
  });

  it.each([0, -1, 1, 2 ** 31 - 1, -(2 ** 31)])('reads int %i', (n) => {
    expect(new AvroReader(avro.Type.forSchema('int').toBuffer(n)).int()).toBe(n);
  });

  it('reads strings, bytes, floats and doubles in sequence', () => {
    const t = avro.Type.forSchema({
      type: 'record',
      name: 'R',
      fields: [
        { name: 's', type: 'string' },
        { name: 'b', type: 'bytes' },
        { name: 'f', type: 'float' },
        { name: 'd', type: 'double' },
      ],
    });
    const r = new AvroReader(t.toBuffer({ s: 'émoji 😀', b: Buffer.from([0, 1, 0]), f: 1.5, d: -0.1 }));
    expect([r.string(), r.bytes(), r.float(), r.double()]).toEqual(['émoji 😀', Buffer.from([0, 1, 0]), 1.5, -0.1]);
  });

  it('refuses data that ends early', () => {
    expect(() => new AvroReader(Buffer.from([0x80])).long()).toThrow(/ends early/);
    expect(() => new AvroReader(Buffer.from([0x0a, 0x61])).string()).toThrow(/ends early/);
  });
});
