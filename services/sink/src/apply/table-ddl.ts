import {
  type ColumnDefault,
  indexSql,
  isOneSqlPiece,
  parseSqlType,
  partitioningSql,
  qualified,
  quoteIdent,
  SluiceError,
  SPATIAL_TYPES,
  tableOptionsSql,
} from '@sluice/core';
import type { TargetColumn, TargetTable } from '../decode/target-table.ts';
import { tableCopy } from './table-copy.ts';

// A column type as information_schema prints it: a type name, optional arguments (quoted
// ENUM/SET members allowed), optional attributes. Anything else is refused: it came from the
// registry, and DDL cannot take parameters.
const SQL_TYPE = /^[a-z][a-z ]*(\((?:'(?:[^'\\]|\\.|'')*'|[^'();])*\))?(\s+(unsigned|zerofill|signed))*$/i;
const NAME = /^[A-Za-z0-9_]+$/;

/** What DDL must know of a target: its character sets and collations (TiDB lacks many of MariaDB's), and whether it has spatial types (TiDB has none). */
export interface TargetTraits {
  charsets: Set<string>;
  collations: Set<string>;
  spatial?: boolean;
  /** TiDB: one ALTER cannot name a column another clause of it adds. */
  tidb?: boolean;
}

/**
 * The type a column gets in the target: the source's, except that GEOMETRYCOLLECTION is spelled
 * so that MariaDB takes it too, and spatial types become LONGBLOB (same bytes: SRID + WKB) on a
 * target without them.
 */
export function targetSqlType(sqlType: string, target?: TargetTraits): string {
  if (!SPATIAL_TYPES.has(sqlType.toLowerCase())) return sqlType;
  if (target?.spatial === false) return 'longblob';
  return /^geomcollection$/i.test(sqlType) ? 'geometrycollection' : sqlType;
}

export function columnDef(c: TargetColumn, target?: TargetTraits): string {
  if (!SQL_TYPE.test(c.sqlType)) {
    throw new SluiceError('TYPE_UNSUPPORTED', `refusing column type ${JSON.stringify(c.sqlType)} of ${c.name}`);
  }
  // A charset or collation the target lacks falls back to the target's default: the characters
  // stored are the same; only comparison and sort order follow the target's rules.
  const hasCharset = !!c.charset && NAME.test(c.charset) && (!target || target.charsets.has(c.charset.toLowerCase()));
  const hasCollation =
    hasCharset && !!c.collation && NAME.test(c.collation) && (!target || target.collations.has(c.collation.toLowerCase()));
  const charset = hasCharset ? ` CHARACTER SET ${c.charset}` : '';
  const collate = hasCollation ? ` COLLATE ${c.collation}` : '';
  const type = targetSqlType(c.sqlType, target);
  return `${quoteIdent(c.name)} ${type}${charset}${collate} ${c.nullable ? 'NULL' : 'NOT NULL'}${defaultSql(c, type)}${extrasSql(c)}`;
}

/** ON UPDATE takes CURRENT_TIMESTAMP only (the registry's text is checked, never pasted otherwise). */
const ON_UPDATE = /^current_timestamp(\(\d\))?$/i;

/** ` AUTO_INCREMENT ON UPDATE ... COMMENT '...'` for a column, what it has of them. */
function extrasSql(c: TargetColumn): string {
  const onUpdate = c.onUpdate && ON_UPDATE.test(c.onUpdate) ? ` ON UPDATE ${c.onUpdate}` : '';
  return `${c.autoIncrement ? ' AUTO_INCREMENT' : ''}${onUpdate}${c.comment ? ` COMMENT ${quoteLiteral(c.comment)}` : ''}`;
}

/** CURRENT_TIMESTAMP and its synonyms: the expressions MySQL takes without parentheses. */
const NOW = /^(current_timestamp|now|localtime|localtimestamp)(\(\d?\))?$/i;

/** A string literal that reads back as `s` under the default sql_mode of MySQL, MariaDB and TiDB. */
export const quoteLiteral = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\0/g, '\\0')}'`;

/**
 * ` DEFAULT ...` for a column, or nothing. Literals are quoted here (never pasted); an
 * expression came from the registry, so it must be one balanced expression with no statement
 * end and no comment, and is parenthesized (MySQL 8's syntax for expression defaults) unless it
 * is CURRENT_TIMESTAMP or already is.
 */
export function defaultSql(c: { name: string; nullable: boolean; default?: ColumnDefault }, type: string): string {
  const d = c.default;
  if (!d) return '';
  switch (d.kind) {
    case 'null':
      return c.nullable ? ' DEFAULT NULL' : '';
    case 'text':
      return ` DEFAULT ${quoteLiteral(d.value)}`;
    case 'bytes':
      if (!/^([0-9a-f]{2})*$/.test(d.hex)) break;
      if (parseSqlType(type).base === 'bit') return ` DEFAULT b'${BigInt(`0x${d.hex || '0'}`).toString(2)}'`;
      return ` DEFAULT X'${d.hex}'`;
    case 'expression': {
      const sql = d.sql.trim();
      if (!isOneSqlPiece(sql)) break;
      if (NOW.test(sql) || wrapped(sql)) return ` DEFAULT ${sql}`;
      return ` DEFAULT (${sql})`;
    }
  }
  throw new SluiceError('TYPE_UNSUPPORTED', `refusing default ${JSON.stringify(d)} of column ${c.name}`);
}

/** `(…)` whose first parenthesis closes at the end. */
function wrapped(sql: string): boolean {
  if (!sql.startsWith('(') || !sql.endsWith(')')) return false;
  return isOneSqlPiece(sql.slice(1, -1));
}

/**
 * CREATE TABLE as a copy of the source's table (table-copy.ts): columns with their defaults and
 * extras, the key, unique and secondary indexes, options and partitioning, what the target can
 * hold of them. `bare` (or a version without structure) gives columns and key only: the fallback
 * when the target refuses the copy.
 */
export function createTableSql(t: TargetTable, target?: TargetTraits, opts: { bare?: boolean } = {}): string {
  const cols = t.columns.map((c) => columnDef(c, target));
  const copy = opts.bare ? undefined : tableCopy(t, target);
  if (copy) cols.push(...copy.structure.indexes.map(indexSql));
  else cols.push(`PRIMARY KEY (${t.key.map((k) => quoteIdent(k.name)).join(', ')})`);
  const options = copy ? tableOptionsSql(copy.structure.options) : [];
  const partitioning = copy?.structure.partitioning ? `\n${partitioningSql(copy.structure.partitioning)}` : '';
  const tail = options.length ? ` ${options.join(' ')}` : '';
  return `CREATE TABLE IF NOT EXISTS ${qualified(t.database, t.table)} (\n  ${cols.join(',\n  ')}\n)${tail}${partitioning}`;
}

export const createDatabaseSql = (db: string): string => `CREATE DATABASE IF NOT EXISTS ${quoteIdent(db)}`;
