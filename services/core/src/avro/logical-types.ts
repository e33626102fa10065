import avro from 'avsc';

/**
 * Avro `long` as a JS bigint. avsc's default long is a JS number, which silently loses
 * precision beyond 2^53: unacceptable for BIGINT columns and microsecond timestamps.
 * Accepts numbers on write so that small fields (ts_ms, pos) can be given plainly.
 */
// avsc packs the 8 bytes into a varint at once, so one scratch buffer serves every write.
const scratch = Buffer.alloc(8);

export const BigLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      // Exact numbers (ts_ms, positions, DATETIME micros) skip BigInt: two 32-bit halves.
      const hi = Math.floor(n / 0x100000000);
      scratch.writeUInt32LE(n - hi * 0x100000000, 0);
      scratch.writeInt32LE(hi, 4);
    } else {
      scratch.writeBigInt64LE(BigInt(n));
    }
    return scratch;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isSafeInteger(n)),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/**
 * Avro `decimal` on `bytes` (two's complement, big-endian unscaled value), with the JS value an
 * exact decimal string such as "-123.4500". Never goes through a float.
 */
export class DecimalType extends avro.types.LogicalType {
  readonly precision: number;
  readonly scale: number;

  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts);
    const s = schema as { precision?: number; scale?: number };
    this.precision = s.precision ?? 0;
    this.scale = s.scale ?? 0;
  }

  _fromValue(buf: Buffer): string {
    return decimalText(buf, this.scale);
  }

  _toValue(value: string): Buffer {
    return unscaledBytesFast(value, this.scale) ?? bigIntToBytes(parseUnscaled(value, this.scale));
  }

  /** Exported schemas (getSchema({ exportAttrs: true }), an archive file's header) keep precision and scale. */
  _export(schema: avro.Schema): void {
    const s = schema as { precision?: number; scale?: number };
    s.precision = this.precision;
    s.scale = this.scale;
  }

  _resolve(type: avro.Type): ((v: unknown) => unknown) | undefined {
    if (type instanceof DecimalType && type.scale === this.scale) return (v) => v;
    return undefined;
  }
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** "12.5" at scale 3 -> 12500n. Refuses more fraction digits than the scale: that would round. */
export function parseUnscaled(value: string, scale: number): bigint {
  const m = DECIMAL_RE.exec(String(value).trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new TypeError(`not a decimal: ${value}`);
  const frac = m[3] ?? '';
  if (frac.replace(/0+$/, '').length > scale) throw new RangeError(`${value} has more than ${scale} fraction digits`);
  const digits = `${m[2] || '0'}${frac.padEnd(scale, '0').slice(0, scale)}`;
  const n = BigInt(digits);
  return m[1] === '-' ? -n : n;
}

/** 12500n at scale 3 -> "12.500" (always exactly `scale` fraction digits, as MySQL prints). */
export function formatUnscaled(n: bigint, scale: number): string {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(scale + 1, '0');
  const int = s.slice(0, s.length - scale);
  const frac = s.slice(s.length - scale);
  return `${neg ? '-' : ''}${int}${scale > 0 ? `.${frac}` : ''}`;
}

/** An Avro decimal's bytes -> exact text at `scale`; unscaled values of up to 6 bytes skip BigInt. */
export function decimalText(buf: Buffer, scale: number): string {
  if (buf.length === 0 || buf.length > 6) return formatUnscaled(bytesToBigInt(buf), scale);
  const n = buf.readIntBE(0, buf.length);
  if (scale === 0) return String(n);
  const s = String(n < 0 ? -n : n).padStart(scale + 1, '0');
  return `${n < 0 ? '-' : ''}${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
}

/** The two's complement byte lengths 1..6 by their ranges: a value fits n bytes when -LIMIT[n] <= v < LIMIT[n]. */
const LIMIT = [0, 2 ** 7, 2 ** 15, 2 ** 23, 2 ** 31, 2 ** 39, 2 ** 47];

/**
 * bigIntToBytes(parseUnscaled(value, scale)) for the binlog's own layout ('-123.45': an optional
 * minus, digits, at most `scale` fraction digits) when the unscaled value fits 6 bytes, without
 * RegExp, BigInt or hex text: this runs for every DECIMAL of every captured row. Anything else
 * is undefined, for the exact path (which also says what is wrong with it).
 */
export function unscaledBytesFast(value: string, scale: number): Buffer | undefined {
  if (typeof value !== 'string' || value.length > 17) return undefined;
  const neg = value.charCodeAt(0) === 45;
  let v = 0;
  let fraction = -1;
  let any = false;
  for (let i = neg ? 1 : 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46 && fraction < 0) {
      fraction = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
    any = true;
    if (fraction >= 0) fraction++;
  }
  const fractionDigits = Math.max(fraction, 0);
  if (!any || fractionDigits > scale) return undefined;
  for (let i = fractionDigits; i < scale; i++) v *= 10;
  if (neg) v = -v;
  let bytes = 1;
  while (bytes < LIMIT.length && (v >= (LIMIT[bytes] as number) || v < -(LIMIT[bytes] as number))) bytes++;
  if (bytes === LIMIT.length) return undefined;
  const buf = Buffer.allocUnsafe(bytes);
  buf.writeIntBE(v, 0, bytes);
  return buf;
}

export function bigIntToBytes(n: bigint): Buffer {
  // Minimal two's complement: enough bytes that the sign bit is right.
  let hex = (n < 0n ? -n - 1n : n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let buf = Buffer.from(hex, 'hex');
  if (buf.length === 0 || (buf[0] as number) & 0x80) buf = Buffer.concat([Buffer.alloc(1), buf]);
  if (n < 0n) for (let i = 0; i < buf.length; i++) buf[i] = ~(buf[i] as number) & 0xff;
  return buf;
}

export function bytesToBigInt(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  const n = BigInt(`0x${buf.toString('hex')}`);
  return (buf[0] as number) & 0x80 ? n - (1n << BigInt(buf.length * 8)) : n;
}

/**
 * Options for avsc (directly or through the registry client) that make every value exact.
 * A type hook, not a shared `registry`, swaps in BigLongType: avsc adds named types to the
 * registry it is given, so sharing one across schemas would clash on names.
 */
export const exactAvroOptions = {
  logicalTypes: { decimal: DecimalType },
  typeHook: (schema: unknown): avro.Type | undefined => {
    if (schema === 'long') return BigLongType;
    // Every long, logical or not: timestamps in microseconds pass 2^53 too.
    if (typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'long') {
      return BigLongType;
    }
    return undefined;
  },
};
