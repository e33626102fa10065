import { SluiceError } from '../errors.ts';

const TWO_49 = 2 ** 49;

/**
 * A cursor over Avro binary data (the spec's encodings of int, long, float, double, bytes,
 * string), for decoders compiled from a known writer schema. Longs come back as numbers while
 * their zig-zag form fits a double exactly (-2^52 <= n < 2^52, microsecond timestamps included)
 * and as bigints beyond: no value is ever rounded.
 */
export class AvroReader {
  buf: Buffer;
  pos: number;

  constructor(buf: Buffer, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  int(): number {
    const buf = this.buf;
    let pos = this.pos;
    let n = 0;
    let shift = 0;
    let b: number;
    do {
      b = buf[pos++] as number;
      if (b === undefined || shift > 28) throw truncated(this.pos);
      n |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    this.pos = pos;
    return (n >>> 1) ^ -(n & 1);
  }

  long(): number | bigint {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let n = 0;
    let mul = 1;
    let b: number;
    do {
      b = buf[pos++] as number;
      if (b === undefined) throw truncated(start);
      // Eight 7-bit groups reach 2^56: past 2^49 only a small last group keeps a double exact.
      if (mul > TWO_49 || (mul === TWO_49 && (b & 0x80 || b > 0x0f))) return this.bigLong(start);
      n += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    this.pos = pos;
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private bigLong(start: number): bigint {
    let pos = start;
    let n = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.buf[pos++] as number;
      if (b === undefined || shift > 63n) throw truncated(start);
      n |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    this.pos = pos;
    return (n >> 1n) ^ -(n & 1n);
  }

  /** A long that must fit a JS number (lengths, union branches, counts). */
  smallLong(): number {
    const v = this.long();
    if (typeof v === 'bigint') throw new SluiceError('DECODE_FAILED', `Avro length ${v} at byte ${this.pos} is out of range`);
    return v;
  }

  float(): number {
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  double(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  boolean(): boolean {
    return this.byte() === 1;
  }

  /** A view of the next `bytes` value (no copy: it lives as long as the message buffer). */
  bytes(): Buffer {
    const [start, end] = this.span();
    return this.buf.subarray(start, end);
  }

  string(): string {
    const [start, end] = this.span();
    return this.buf.toString('utf8', start, end);
  }

  /** Start and end of the next length-prefixed value; the cursor moves past it. */
  span(): [number, number] {
    const len = this.smallLong();
    const start = this.pos;
    const end = start + len;
    if (len < 0 || end > this.buf.length) throw truncated(start);
    this.pos = end;
    return [start, end];
  }

  private byte(): number {
    const b = this.buf[this.pos++];
    if (b === undefined) throw truncated(this.pos - 1);
    return b;
  }
}

function truncated(at: number): SluiceError {
  return new SluiceError('DECODE_FAILED', `Avro data ends early or is malformed at byte ${at}`);
}
