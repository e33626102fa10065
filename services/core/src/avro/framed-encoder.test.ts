import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { FramedEncoder } from './framed-encoder.ts';

const type = avro.Type.forSchema({
  type: 'record',
  name: 'Row',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'text', type: 'string' },
    { name: 'blob', type: ['null', 'bytes'] },
  ],
});

const roundTrip = (buf: Buffer) => ({ magic: buf[0], id: buf.readInt32BE(1), value: type.decode(buf, 5) });

describe('FramedEncoder', () => {
  it('frames small records with the schema id', () => {
    const enc = new FramedEncoder();
    const buf = enc.encode(type, 42, { id: 1, text: 'tea', blob: null });
    const { magic, id, value } = roundTrip(buf);
    expect([magic, id]).toEqual([0, 42]);
    expect(value).toEqual({ value: { id: 1, text: 'tea', blob: null }, offset: buf.length });
  });

  // A LONGTEXT of 260 kB plus a BLOB of 60 kB was published truncated: the scratch grew to less
  // than the record needed and the second encode() was not checked.
  it.each([
    [260_000, 60_000],
    [64 * 1024, 0],
    [128 * 1024 + 7, 128 * 1024],
    [3 * 1024 * 1024, 5 * 1024 * 1024],
  ])('encodes a record of %i text and %i blob bytes whole', (textBytes, blobBytes) => {
    const enc = new FramedEncoder();
    const row = { id: 7, text: 'é'.repeat(textBytes / 2), blob: Buffer.alloc(blobBytes, 0xab) };
    const buf = enc.encode(type, 9, row);
    const { id, value } = roundTrip(buf);
    expect(id).toBe(9);
    expect(value.offset).toBe(buf.length);
    expect(value.value).toEqual(row);
  });

  it('keeps encoding small records correctly after a large one', () => {
    const enc = new FramedEncoder();
    const big = enc.encode(type, 1, { id: 1, text: 'x'.repeat(1_000_000), blob: null });
    const small = enc.encode(type, 2, { id: 2, text: 'y', blob: Buffer.from([0]) });
    expect(roundTrip(big).value.value).toMatchObject({ id: 1 });
    expect(roundTrip(small).value.value).toEqual({ id: 2, text: 'y', blob: Buffer.from([0]) });
  });
});
