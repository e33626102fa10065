/**
 * A table with a column of every supported type, and rows with edge values. For each row and
 * column: the value inserted, and the exact Avro value capture must publish for it. The same
 * table runs through the whole pipeline to check targets bit for bit.
 */
export interface TypeColumn {
  name: string;
  ddl: string;
}

export const TYPE_COLUMNS: TypeColumn[] = [
  { name: 'ti', ddl: 'TINYINT' },
  { name: 'tiu', ddl: 'TINYINT UNSIGNED' },
  { name: 'si', ddl: 'SMALLINT' },
  { name: 'siu', ddl: 'SMALLINT UNSIGNED' },
  { name: 'mi', ddl: 'MEDIUMINT' },
  { name: 'miu', ddl: 'MEDIUMINT UNSIGNED' },
  { name: 'i', ddl: 'INT' },
  { name: 'iu', ddl: 'INT UNSIGNED' },
  { name: 'bi', ddl: 'BIGINT' },
  { name: 'biu', ddl: 'BIGINT UNSIGNED' },
  { name: 'd65', ddl: 'DECIMAL(65,30)' },
  { name: 'd10', ddl: 'DECIMAL(10,0)' },
  { name: 'd52', ddl: 'DECIMAL(5,2)' },
  { name: 'f', ddl: 'FLOAT' },
  { name: 'dbl', ddl: 'DOUBLE' },
  { name: 'dt', ddl: 'DATE' },
  { name: 'dt0', ddl: 'DATETIME' },
  { name: 'dt3', ddl: 'DATETIME(3)' },
  { name: 'dt6', ddl: 'DATETIME(6)' },
  { name: 'ts0', ddl: 'TIMESTAMP NULL' },
  { name: 'ts6', ddl: 'TIMESTAMP(6) NULL' },
  { name: 'tm', ddl: 'TIME' },
  { name: 'tm6', ddl: 'TIME(6)' },
  { name: 'yr', ddl: 'YEAR' },
  { name: 'c', ddl: 'CHAR(10) CHARACTER SET utf8mb4' },
  { name: 'vc', ddl: 'VARCHAR(100) CHARACTER SET utf8mb4' },
  { name: 'vl1', ddl: 'VARCHAR(20) CHARACTER SET latin1' },
  { name: 'tx', ddl: 'TEXT CHARACTER SET utf8mb4' },
  { name: 'bn', ddl: 'BINARY(4)' },
  { name: 'vb', ddl: 'VARBINARY(16)' },
  { name: 'bl', ddl: 'BLOB' },
  { name: 'lb', ddl: 'LONGBLOB' },
  { name: 'b1', ddl: 'BIT(1)' },
  { name: 'b64', ddl: 'BIT(64)' },
  { name: 'en', ddl: "ENUM('a','b,c','it''s')" },
  { name: 'st', ddl: "SET('x','y','z')" },
  { name: 'js', ddl: 'JSON' },
  { name: 'pt', ddl: 'POINT' },
  { name: 'geo', ddl: 'GEOMETRY' },
  { name: 'gc', ddl: 'GEOMETRYCOLLECTION' },
];

/** A spatial value as MySQL stores it: 4-byte little-endian SRID, then little-endian WKB. */
const geom = (srid: number, wkbHex: string) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(srid);
  return Buffer.concat([b, Buffer.from(wkbHex.replace(/\s+/g, ''), 'hex')]);
};
const xy = (x: number, y: number) => {
  const b = Buffer.alloc(16);
  b.writeDoubleLE(x);
  b.writeDoubleLE(y, 8);
  return b.toString('hex');
};
const POINT_4326 = geom(4326, `0101000000 ${xy(1, 2)}`);
const SQUARE = geom(0, `0103000000 01000000 05000000 ${xy(0, 0)} ${xy(1, 0)} ${xy(1, 1)} ${xy(0, 1)} ${xy(0, 0)}`);
const COLLECTION_3857 = geom(
  3857,
  `0107000000 02000000 0101000000 ${xy(1, 2)} 0102000000 02000000 ${xy(0, 0)} ${xy(-1.5, 1e-300)}`,
);
const POINT_TINY = geom(0, `0101000000 ${xy(-1.5, 1e-300)}`);
const LINE = geom(0, `0102000000 02000000 ${xy(0, 0)} ${xy(2.5, -3)}`);
const COLLECTION_0 = geom(0, `0107000000 01000000 0101000000 ${xy(7, 8)}`);

const D65_MAX = `${'9'.repeat(35)}.${'9'.repeat(30)}`;
const big = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
const FLOAT_MAX = 3.4028234663852886e38;

export interface TypeRow {
  id: number;
  /** Inserted values by column (SQL parameters; BIT as Buffer). Missing = NULL. */
  values: Record<string, unknown>;
  /** Expected Avro value by column. Missing = null. */
  avro: Record<string, unknown>;
}

export const TYPE_ROWS: TypeRow[] = [
  {
    id: 1,
    values: {
      ti: 127,
      tiu: 255,
      si: 32767,
      siu: 65535,
      mi: 8388607,
      miu: 16777215,
      i: 2147483647,
      iu: 4294967295,
      bi: '9223372036854775807',
      biu: '18446744073709551615',
      d65: D65_MAX,
      d10: '9999999999',
      d52: '999.99',
      f: FLOAT_MAX,
      dbl: 1.7976931348623157e308,
      dt: '9999-12-31',
      dt0: '9999-12-31 23:59:59',
      dt3: '9999-12-31 23:59:59.999',
      dt6: '9999-12-31 23:59:59.999999',
      ts0: '2038-01-19 03:14:07',
      ts6: '2038-01-19 03:14:07.999999',
      tm: '838:59:59',
      tm6: '838:59:59.000000',
      yr: 2155,
      c: 'ten chars!',
      vc: 'emoji 😀 flag 🇺🇦 han 漢字',
      vl1: 'café crème',
      tx: 'long '.repeat(2000),
      bn: Buffer.from('deadbeef', 'hex'),
      vb: Buffer.alloc(16, 0xff),
      bl: Buffer.from([0, 1, 0, 2, 0]),
      lb: big,
      b1: Buffer.from([1]),
      b64: Buffer.alloc(8, 0xff),
      en: "it's",
      st: 'x,z',
      js: '{"a": [1, 2.5, "😀"], "b": null}',
      pt: POINT_4326,
      geo: SQUARE,
      gc: COLLECTION_3857,
    },
    avro: {
      ti: 127,
      tiu: 255,
      si: 32767,
      siu: 65535,
      mi: 8388607,
      miu: 16777215,
      i: 2147483647,
      iu: 4294967295n,
      bi: 9223372036854775807n,
      biu: '18446744073709551615',
      d65: D65_MAX,
      d10: '9999999999',
      d52: '999.99',
      f: Math.fround(FLOAT_MAX),
      dbl: 1.7976931348623157e308,
      dt: 2932896,
      dt0: 253402300799000n,
      dt3: 253402300799999n,
      dt6: 253402300799999999n,
      ts0: '2038-01-19T03:14:07Z',
      ts6: '2038-01-19T03:14:07.999999Z',
      tm: 3020399000000n,
      tm6: 3020399000000n,
      yr: 2155,
      c: 'ten chars!',
      vc: 'emoji 😀 flag 🇺🇦 han 漢字',
      vl1: 'café crème',
      tx: 'long '.repeat(2000),
      bn: Buffer.from('deadbeef', 'hex'),
      vb: Buffer.alloc(16, 0xff),
      bl: Buffer.from([0, 1, 0, 2, 0]),
      lb: big,
      b1: Buffer.from([1]),
      b64: Buffer.alloc(8, 0xff),
      en: "it's",
      st: 'x,z',
      js: '{"a": [1, 2.5, "😀"], "b": null}',
      pt: POINT_4326,
      geo: SQUARE,
      gc: COLLECTION_3857,
    },
  },
  {
    id: 2,
    values: {
      ti: -128,
      tiu: 0,
      si: -32768,
      siu: 0,
      mi: -8388608,
      miu: 0,
      i: -2147483648,
      iu: 0,
      bi: '-9223372036854775808',
      biu: '0',
      d65: `-${D65_MAX}`,
      d10: '-9999999999',
      d52: '-999.99',
      f: -FLOAT_MAX,
      dbl: -2.2250738585072014e-308,
      dt: '1000-01-01',
      dt0: '1000-01-01 00:00:00',
      dt3: '1000-01-01 00:00:00.001',
      dt6: '1000-01-01 00:00:00.000001',
      ts0: '1970-01-01 00:00:01',
      ts6: '1970-01-01 00:00:01.000001',
      tm: '-838:59:59',
      tm6: '-00:00:00.000001',
      yr: 1901,
      c: '',
      vc: '',
      vl1: '',
      tx: '',
      bn: Buffer.alloc(4),
      vb: Buffer.alloc(0),
      bl: Buffer.alloc(0),
      lb: Buffer.alloc(0),
      b1: Buffer.from([0]),
      b64: Buffer.alloc(8),
      en: 'a',
      st: '',
      js: '[]',
      pt: POINT_TINY,
      geo: LINE,
      gc: COLLECTION_0,
    },
    avro: {
      ti: -128,
      tiu: 0,
      si: -32768,
      siu: 0,
      mi: -8388608,
      miu: 0,
      i: -2147483648,
      iu: 0n,
      bi: -9223372036854775808n,
      biu: '0',
      d65: `-${D65_MAX}`,
      d10: '-9999999999',
      d52: '-999.99',
      f: -Math.fround(FLOAT_MAX),
      dbl: -2.2250738585072014e-308,
      dt: -354285,
      dt0: -30610224000000n,
      dt3: -30610223999999n,
      dt6: -30610223999999999n,
      ts0: '1970-01-01T00:00:01Z',
      ts6: '1970-01-01T00:00:01.000001Z',
      tm: -3020399000000n,
      tm6: -1n,
      yr: 1901,
      c: '',
      vc: '',
      vl1: '',
      tx: '',
      bn: Buffer.alloc(4),
      vb: Buffer.alloc(0),
      bl: Buffer.alloc(0),
      lb: Buffer.alloc(0),
      b1: Buffer.from([0]),
      b64: Buffer.alloc(8),
      en: 'a',
      st: '',
      js: '[]',
      pt: POINT_TINY,
      geo: LINE,
      gc: COLLECTION_0,
    },
  },
  { id: 3, values: {}, avro: {} },
  {
    // Dates no calendar has, kept by MySQL without NO_ZERO_DATE / NO_ZERO_IN_DATE (temporal.ts).
    id: 5,
    values: {
      dt: '0000-00-00',
      dt0: '0000-00-00 00:00:00',
      dt3: '2024-00-10 12:34:56.789',
      dt6: '9999-12-00 23:59:59.999999',
      ts0: '0000-00-00 00:00:00',
    },
    avro: {
      dt: -1_000_000,
      dt0: -86_400_000_000_000n,
      dt3: -159_148_236_303_211n,
      dt6: -445_821_148_800_000_001n,
      ts0: '0000-00-00T00:00:00Z',
    },
  },
  {
    id: 4,
    values: {
      iu: 2147483648,
      bi: '9007199254740993',
      biu: '9007199254740993',
      d65: '0.000000000000000000000000000001',
      d52: '0.10',
      f: 1.1,
      dbl: 0.1,
      d10: '-1',
      dt: '2024-02-29',
      // Calendar dates the capture converts without BigInt, before 1970 and with milliseconds too.
      dt0: '1900-03-01 12:00:00',
      dt3: '1969-12-31 23:59:59.999',
      dt6: '2024-02-29 23:59:59.123456',
      tm6: '-00:00:01.500000',
      yr: 2000,
      vc: 'nul\u0000inside',
      bl: Buffer.from([0, 0, 0]),
      en: 'b,c',
      st: 'x,y,z',
      b64: Buffer.from('8000000000000001', 'hex'),
    },
    avro: {
      iu: 2147483648n,
      bi: 9007199254740993n,
      biu: '9007199254740993',
      d65: '0.000000000000000000000000000001',
      d52: '0.10',
      f: Math.fround(1.1),
      dbl: 0.1,
      d10: '-1',
      dt: 19782,
      dt0: -2203848000000n,
      dt3: -1n,
      dt6: 1709251199123456n,
      tm6: -1500000n,
      yr: 2000,
      vc: 'nul\u0000inside',
      bl: Buffer.from([0, 0, 0]),
      en: 'b,c',
      st: 'x,y,z',
      b64: Buffer.from('8000000000000001', 'hex'),
    },
  },
];

export function createTypeTableSql(db: string, table = 'alltypes'): string {
  return `CREATE TABLE \`${db}\`.\`${table}\` (id INT NOT NULL PRIMARY KEY, ${TYPE_COLUMNS.map((c) => `\`${c.name}\` ${c.ddl}`).join(', ')})`;
}

export function insertTypeRowSql(db: string, table = 'alltypes'): string {
  const cols = ['id', ...TYPE_COLUMNS.map((c) => c.name)];
  return `INSERT INTO \`${db}\`.\`${table}\` (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
}

export const typeRowParams = (r: TypeRow): unknown[] => [r.id, ...TYPE_COLUMNS.map((c) => r.values[c.name] ?? null)];
