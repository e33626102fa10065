import { qualified, quoteIdent, SluiceError, SPATIAL_TYPES } from '@sluice/core';
import type { TargetColumn, TargetTable } from '../decode/target-table.ts';

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
  return `${quoteIdent(c.name)} ${targetSqlType(c.sqlType, target)}${charset}${collate} ${c.nullable ? 'NULL' : 'NOT NULL'}`;
}

/** CREATE TABLE with the source's column types and key, for a target that has no such table yet. */
export function createTableSql(t: TargetTable, target?: TargetTraits): string {
  const cols = t.columns.map((c) => columnDef(c, target));
  cols.push(`PRIMARY KEY (${t.key.map((k) => quoteIdent(k.name)).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(t.database, t.table)} (\n  ${cols.join(',\n  ')}\n)`;
}

export const createDatabaseSql = (db: string): string => `CREATE DATABASE IF NOT EXISTS ${quoteIdent(db)}`;
