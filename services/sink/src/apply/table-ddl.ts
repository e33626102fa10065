import { qualified, quoteIdent, SluiceError } from '@sluice/core';
import type { TargetColumn, TargetTable } from '../decode/target-table.ts';

// A column type as information_schema prints it: a type name, optional arguments (quoted
// ENUM/SET members allowed), optional attributes. Anything else is refused: it came from the
// registry, and DDL cannot take parameters.
const SQL_TYPE = /^[a-z][a-z ]*(\((?:'(?:[^'\\]|\\.|'')*'|[^'();])*\))?(\s+(unsigned|zerofill|signed))*$/i;
const NAME = /^[A-Za-z0-9_]+$/;

function columnDef(c: TargetColumn): string {
  if (!SQL_TYPE.test(c.sqlType))
    throw new SluiceError('TYPE_UNSUPPORTED', `refusing column type ${JSON.stringify(c.sqlType)} of ${c.name}`);
  const charset = c.charset && NAME.test(c.charset) ? ` CHARACTER SET ${c.charset}` : '';
  const collate = c.collation && NAME.test(c.collation) ? ` COLLATE ${c.collation}` : '';
  return `${quoteIdent(c.name)} ${c.sqlType}${charset}${collate} ${c.nullable ? 'NULL' : 'NOT NULL'}`;
}

/** CREATE TABLE with the source's column types and key, for a target that has no such table yet. */
export function createTableSql(t: TargetTable): string {
  const cols = t.columns.map(columnDef);
  cols.push(`PRIMARY KEY (${t.key.map((k) => quoteIdent(k.name)).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(t.database, t.table)} (\n  ${cols.join(',\n  ')}\n)`;
}

export const createDatabaseSql = (db: string): string => `CREATE DATABASE IF NOT EXISTS ${quoteIdent(db)}`;
