import { SluiceError } from '../errors.ts';
import {
  dateTimeToEpochMicros,
  dateTimeToEpochMicrosFast,
  dateToEpochDays,
  epochDaysToDate,
  epochMicrosToDateTime,
  isoToUtcText,
  microsToTime,
  timeToMicros,
  utcTextToIso,
} from './temporal.ts';

/** A value as the target driver takes it as a statement parameter. */
export type SqlParam = string | number | Buffer | null;

/**
 * How one MySQL column type travels: its Avro type (Debezium's semantic name in `connect.name`)
 * and the two exact conversions, binlog value -> Avro value (capture) and Avro value -> SQL
 * parameter (sink). The mapping table in docs/types.md mirrors this file.
 */
export interface ColumnCodec {
  avro: string | Record<string, unknown>;
  toAvro(value: unknown): unknown;
  toSql(value: unknown): SqlParam;
}

const num = (v: unknown): string => (typeof v === 'bigint' ? v.toString() : String(v));
const asBuffer = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'));

const INT: ColumnCodec = { avro: 'int', toAvro: (v) => Number(v), toSql: num };
// BigLongType writes exact numbers as they are: only a BIGINT beyond 2^53 needs a bigint.
const LONG: ColumnCodec = {
  avro: 'long',
  toAvro: (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : BigInt(num(v))),
  toSql: num,
};
const STRING: ColumnCodec = {
  avro: 'string',
  toAvro: (v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)),
  toSql: (v) => v as string,
};
const BYTES: ColumnCodec = { avro: 'bytes', toAvro: asBuffer, toSql: (v) => v as Buffer };

const decimal = (precision: number, scale: number): ColumnCodec => ({
  avro: { type: 'bytes', logicalType: 'decimal', precision, scale, 'connect.name': 'org.apache.kafka.connect.data.Decimal' },
  toAvro: num,
  toSql: (v) => v as string,
});

const msToMicros = (ms: number | bigint): number | bigint =>
  typeof ms === 'number' && Math.abs(ms) <= Number.MAX_SAFE_INTEGER / 1000 ? ms * 1000 : BigInt(ms) * 1000n;

function dateTime(fsp: number): ColumnCodec {
  // Debezium: Timestamp (ms) for fsp 0-3, MicroTimestamp (us) for 4-6; both wall clock as if UTC.
  const millis = fsp <= 3;
  return {
    avro: { type: 'long', 'connect.name': millis ? 'io.debezium.time.Timestamp' : 'io.debezium.time.MicroTimestamp' },
    toAvro: (v) => {
      const text = String(v);
      const fast = dateTimeToEpochMicrosFast(text);
      // Truncated toward zero like the bigint division (exact: fsp <= 3 leaves whole milliseconds).
      if (fast !== undefined) return millis ? (fast - (fast % 1000)) / 1000 : fast;
      const us = dateTimeToEpochMicros(text);
      return millis ? us / 1000n : us;
    },
    // Readers give longs as numbers while exact, as bigints beyond.
    toSql: (v) => epochMicrosToDateTime(millis ? msToMicros(v as number | bigint) : (v as number | bigint)),
  };
}

const DATE: ColumnCodec = {
  avro: { type: 'int', logicalType: 'date', 'connect.name': 'io.debezium.time.Date' },
  toAvro: (v) => dateToEpochDays(String(v)),
  toSql: (v) => epochDaysToDate(v as number),
};

const TIME: ColumnCodec = {
  avro: { type: 'long', 'connect.name': 'io.debezium.time.MicroTime' },
  toAvro: (v) => timeToMicros(String(v)),
  toSql: (v) => microsToTime(v as number | bigint),
};

const TIMESTAMP: ColumnCodec = {
  avro: { type: 'string', 'connect.name': 'io.debezium.time.ZonedTimestamp' },
  toAvro: (v) => utcTextToIso(String(v)),
  toSql: (v) => isoToUtcText(v as string),
};

const JSON_TEXT: ColumnCodec = {
  avro: { type: 'string', 'connect.name': 'io.debezium.data.Json' },
  toAvro: (v) => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : JSON.stringify(v)),
  toSql: (v) => v as string,
};

const named = (base: ColumnCodec, connectName: string): ColumnCodec => ({
  ...base,
  avro: { type: base.avro, 'connect.name': connectName },
});

/** MySQL's spatial column types (MySQL 8 spells GEOMETRYCOLLECTION `geomcollection`). */
export const SPATIAL_TYPES: ReadonlySet<string> = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

/** Splits "decimal(65,30) unsigned zerofill" into its parts. */
export function parseSqlType(sqlType: string): { base: string; args: string[]; unsigned: boolean } {
  const m = /^([a-z0-9 ]+?)\s*(?:\((.*)\))?((?:\s+\w+)*)$/i.exec(sqlType.trim());
  if (!m) return { base: sqlType.toLowerCase(), args: [], unsigned: false };
  const base = (m[1] as string).toLowerCase();
  const args =
    base === 'enum' || base === 'set'
      ? []
      : (m[2] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  return { base, args, unsigned: /\bunsigned\b/i.test(m[3] ?? '') };
}

export function codecFor(sqlType: string): ColumnCodec {
  const { base, args, unsigned } = parseSqlType(sqlType);
  const fsp = Number(args[0] ?? 0);
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
      return INT;
    case 'int':
    case 'integer':
      return unsigned ? LONG : INT;
    case 'bigint':
      return unsigned ? decimal(20, 0) : LONG;
    case 'decimal':
    case 'numeric':
    case 'fixed':
      return decimal(Number(args[0] ?? 10), Number(args[1] ?? 0));
    case 'float':
      return { avro: 'float', toAvro: Number, toSql: (v) => v as number };
    case 'double':
    case 'real':
    case 'double precision':
      return { avro: 'double', toAvro: Number, toSql: (v) => v as number };
    case 'year':
      return named(INT, 'io.debezium.time.Year');
    case 'date':
      return DATE;
    case 'datetime':
      return dateTime(fsp);
    case 'timestamp':
      return TIMESTAMP;
    case 'time':
      return TIME;
    case 'char':
    case 'varchar':
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      return STRING;
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return BYTES;
    case 'bit':
      return named(BYTES, 'io.debezium.data.Bits');
    case 'enum':
      return named(STRING, 'io.debezium.data.Enum');
    case 'set':
      return named(STRING, 'io.debezium.data.EnumSet');
    case 'json':
      return JSON_TEXT;
    default:
      // As MySQL stores it: 4-byte little-endian SRID, then WKB. Both servers take it back as is.
      if (SPATIAL_TYPES.has(base)) return named(BYTES, 'io.sluice.data.Geometry');
      throw new SluiceError('TYPE_UNSUPPORTED', `column type ${sqlType} is not supported yet (see docs/types.md)`);
  }
}
