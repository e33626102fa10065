import avro from 'avsc';
import { codecFor, parseSqlType } from './column-codecs.ts';
import { exactAvroOptions } from './logical-types.ts';

/**
 * A column's DEFAULT as it travels in the schema (`sluice.default` + `sluice.defaultKind`), the
 * same whichever server printed it: MariaDB quotes string literals in
 * information_schema.COLUMNS.COLUMN_DEFAULT ('it''s', NULL as the word), MySQL 8 and TiDB print
 * the raw value (SQL NULL for DEFAULT NULL) and flag expressions in EXTRA.
 * - null: DEFAULT NULL
 * - text: a literal, as its exact characters (numbers, dates and enum members are text too)
 * - bytes: a binary or BIT literal, as hex of the bytes the column stores (BINARY(n) padded)
 * - expression: evaluated per insert (CURRENT_TIMESTAMP, `(expr)`), as the source prints it
 */
export type ColumnDefault =
  | { kind: 'null' }
  | { kind: 'text'; value: string }
  | { kind: 'bytes'; hex: string }
  | { kind: 'expression'; sql: string };

export type SqlFlavor = 'mariadb' | 'mysql';

const BINARY = /^(binary|varbinary|tinyblob|blob|mediumblob|longblob)$/;
const NUMERIC = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|fixed|float|double|real|double precision|year)$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** CURRENT_TIMESTAMP and its synonyms, the only expressions MySQL takes without parentheses. */
const NOW = /^(current_timestamp|now|localtime|localtimestamp)(\((\d?)\))?$/i;

const ESCAPES: Record<string, string> = { '0': '\0', n: '\n', r: '\r', t: '\t', b: '\b', Z: '\x1a' };

/** MariaDB's quoted literal 'it''s' -> it's (its backslash escapes too: 'a\\b', 'ab\0'). */
function unquote(q: string): string {
  return q.slice(1, -1).replace(/''|\\(.)/gs, (_m, c: string | undefined) => (c === undefined ? "'" : (ESCAPES[c] ?? c)));
}

/** Bytes a binary or BIT column stores for a default, as hex: BINARY(n) pads with zero bytes, BIT(n) is big-endian. */
function bytesDefault(base: string, args: string[], bytes: Buffer): ColumnDefault {
  let b = bytes;
  if (base === 'binary') {
    const n = Number(args[0] ?? 1);
    if (b.length < n) b = Buffer.concat([b, Buffer.alloc(n - b.length)]);
  }
  return { kind: 'bytes', hex: b.toString('hex') };
}

function bitDefault(args: string[], bits: string): ColumnDefault {
  const width = Math.ceil(Number(args[0] ?? 1) / 8);
  const hex = BigInt(`0b${bits || '0'}`)
    .toString(16)
    .padStart(width * 2, '0');
  return { kind: 'bytes', hex };
}

/**
 * A column's default from information_schema.COLUMNS (COLUMN_DEFAULT as `raw`, EXTRA); undefined
 * when the column has none (a NOT NULL column without DEFAULT).
 */
export function parseColumnDefault(c: {
  flavor: SqlFlavor;
  raw: string | null;
  extra: string;
  sqlType: string;
  nullable: boolean;
}): ColumnDefault | undefined {
  const { base, args } = parseSqlType(c.sqlType);
  const raw = c.raw;
  if (raw === null) return c.nullable ? { kind: 'null' } : undefined;
  const bit = /^b'([01]*)'$/i.exec(raw);
  if (base === 'bit' && bit) return bitDefault(args, bit[1] as string);
  if (c.flavor === 'mariadb') {
    if (raw === 'NULL') return { kind: 'null' };
    if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) {
      const value = unquote(raw);
      return BINARY.test(base) ? bytesDefault(base, args, Buffer.from(value, 'utf8')) : { kind: 'text', value };
    }
    if (NUMBER.test(raw)) return { kind: 'text', value: raw };
    return { kind: 'expression', sql: raw };
  }
  if (/DEFAULT_GENERATED/i.test(c.extra) || (NOW.test(raw) && /^(timestamp|datetime)$/.test(base))) {
    return { kind: 'expression', sql: raw };
  }
  if (BINARY.test(base)) {
    const hex = /^0x([0-9a-f]*)$/i.exec(raw);
    return bytesDefault(base, args, hex ? Buffer.from(hex[1] as string, 'hex') : Buffer.from(raw, 'utf8'));
  }
  return { kind: 'text', value: raw };
}

/** A number's canonical text: no sign for zero, no leading or trailing zeros. */
function canonicalNumber(s: string): string {
  const m = /^([+-]?)0*(\d*?)(?:\.(\d*?)0*)?(?:e([+-]?\d+))?$/i.exec(s.trim());
  if (!m) return s;
  const int = m[2] || '0';
  const frac = m[3] ? `.${m[3]}` : '';
  const sign = m[1] === '-' && (int !== '0' || frac) ? '-' : '';
  return `${sign}${int}${frac}${m[4] ? `e${Number(m[4])}` : ''}`;
}

/** An expression as its meaning: case, spaces and outer parentheses are spelling; so are now() and CURRENT_TIMESTAMP. */
export function canonicalExpression(sql: string): string {
  let s = sql.replace(/\s+/g, '').toLowerCase();
  while (/^\(.*\)$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1);
  const now = NOW.exec(s);
  if (now) return now[3] && now[3] !== '0' ? `current_timestamp(${now[3]})` : 'current_timestamp';
  return s;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Whether two defaults are the same for a column of `sqlType` (numbers compared by value). */
export function sameDefault(a: ColumnDefault | undefined, b: ColumnDefault | undefined, sqlType: string): boolean {
  if (!a || !b) return a === b;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'null':
      return true;
    case 'bytes':
      return a.hex === (b as typeof a).hex;
    case 'expression':
      return canonicalExpression(a.sql) === canonicalExpression((b as typeof a).sql);
    case 'text': {
      const other = (b as typeof a).value;
      const numeric = NUMERIC.test(parseSqlType(sqlType).base) && NUMBER.test(a.value) && NUMBER.test(other);
      return numeric ? canonicalNumber(a.value) === canonicalNumber(other) : a.value === other;
    }
  }
}

/**
 * The Avro `default` of a NOT NULL field for a column default, when it converts exactly: a
 * constant whose Avro value avsc accepts and that a JSON number or string carries without loss
 * (no longs beyond 2^53). Expressions have none (their value depends on the insert), nor does
 * DEFAULT NULL. Returns { value } so that a default of null could be told from none.
 */
export function avroDefault(sqlType: string, d: ColumnDefault | undefined): { value: unknown } | undefined {
  if (!d || d.kind === 'null' || d.kind === 'expression') return undefined;
  try {
    const codec = codecFor(sqlType);
    const v = codec.toAvro(d.kind === 'bytes' ? Buffer.from(d.hex, 'hex') : d.value);
    const base = typeof codec.avro === 'string' ? codec.avro : String(codec.avro.type);
    let json: unknown;
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
      json = Number(v);
    } else if (Buffer.isBuffer(v)) {
      json = v.toString('latin1');
    } else if (base === 'bytes' && typeof v === 'string') {
      // A decimal: its Avro bytes (two's complement of the unscaled value) as a JSON string.
      const type = avro.Type.forSchema(codec.avro as avro.Schema, { ...exactAvroOptions } as never);
      json = (type as unknown as { _toValue(s: string): Buffer })._toValue(v).toString('latin1');
    } else {
      json = v;
    }
    if (typeof json === 'number' && !Number.isFinite(json)) return undefined;
    // avsc checks the default against the field type, as every registry client will.
    avro.Type.forSchema(
      { type: 'record', name: 'D', fields: [{ name: 'f', type: codec.avro, default: json }] } as avro.Schema,
      { ...exactAvroOptions } as never,
    );
    return { value: json };
  } catch {
    return undefined;
  }
}
