import { quoteIdent, SPATIAL_TYPES } from '@sluice/core';

/**
 * How a column is turned into text that is byte-for-byte the same on MariaDB 10.11, MySQL 8 and
 * TiDB for the same stored value. Each server prints some types its own way; the expressions below
 * avoid those printers (see services/cli/README.md, "How verify compares").
 */
export type ColumnKind = 'integer' | 'decimal' | 'float' | 'temporal' | 'text' | 'binary' | 'bit' | 'json' | 'unsupported';

const KINDS: Record<string, ColumnKind> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'float',
  real: 'float',
  date: 'temporal',
  datetime: 'temporal',
  timestamp: 'temporal',
  time: 'temporal',
  year: 'temporal',
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  enum: 'text',
  set: 'text',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  // Spatial values as stored (SRID + WKB), like capture publishes them; TiDB targets hold LONGBLOB.
  ...Object.fromEntries([...SPATIAL_TYPES].map((t) => [t, 'binary' as const])),
  bit: 'bit',
  json: 'json',
};

/** information_schema DATA_TYPE -> kind. */
export const kindOf = (dataType: string): ColumnKind => KINDS[dataType.toLowerCase()] ?? 'unsupported';

/**
 * FLOAT and DOUBLE: every server prints the same shortest round-trip digits, but MariaDB and MySQL
 * switch to exponent notation (`3.4028234663852886e38`) where TiDB prints all the zeros. This
 * rewrites either form into `[-]<digits>e<exponent of the first digit>`, so the text no longer
 * depends on the printer. FLOAT is widened to DOUBLE first (exact), since MySQL prints FLOAT with
 * six digits only. -0 and 0 both become `0`.
 */
export function floatCanonical(col: string): string {
  const x = `(${col} + 0e0)`;
  const s = `LOWER(CAST(ABS(${x}) AS CHAR))`;
  const mantissa = `SUBSTRING_INDEX(${s}, 'e', 1)`;
  const exp10 = `IF(LOCATE('e', ${s}) > 0, CAST(SUBSTRING_INDEX(${s}, 'e', -1) AS SIGNED), 0)`;
  const all = `REPLACE(${mantissa}, '.', '')`;
  const digits = `TRIM(TRAILING '0' FROM TRIM(LEADING '0' FROM ${all}))`;
  const leadingZeros = `(LENGTH(${all}) - LENGTH(TRIM(LEADING '0' FROM ${all})))`;
  const exponent = `(LENGTH(SUBSTRING_INDEX(${mantissa}, '.', 1)) - ${leadingZeros} - 1 + ${exp10})`;
  return `IF(${x} IS NULL, NULL, IF(${digits} = '', '0', CONCAT(IF(${x} < 0, '-', ''), ${digits}, 'e', ${exponent})))`;
}

/**
 * The canonical text of one column, or null when the kind cannot be compared in SQL.
 * - integers, DECIMAL, dates and times print the same everywhere (the session zone is UTC for
 *   TIMESTAMP, see openSession);
 * - text is hashed as its UTF-8 bytes in hex: TiDB keeps latin1 columns as UTF-8 internally, and
 *   hex keeps `#` in values from looking like a separator;
 * - BIT as its unsigned number, binary strings as hex.
 */
export function canonicalExpr(column: string, kind: ColumnKind): string | null {
  const c = quoteIdent(column);
  switch (kind) {
    case 'integer':
    case 'decimal':
    case 'temporal':
      return c;
    case 'float':
      return floatCanonical(c);
    case 'text':
      return `HEX(CONVERT(${c} USING utf8mb4))`;
    case 'json':
      return `HEX(CONVERT(CAST(${c} AS CHAR) USING utf8mb4))`;
    case 'binary':
      return `HEX(${c})`;
    case 'bit':
      return `CAST(${c} AS UNSIGNED)`;
    case 'unsupported':
      return null;
  }
}

/**
 * A column read back as an exact client value (for keys bound as parameters and for repairs):
 * FLOAT is widened to DOUBLE because the text protocol prints FLOAT with six digits only.
 */
export function exactValueExpr(column: string, kind: ColumnKind): string {
  const c = quoteIdent(column);
  return kind === 'float' ? `(${c} + 0e0)` : c;
}
