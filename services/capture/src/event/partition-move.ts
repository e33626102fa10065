import { compactSql, isOneSqlPiece } from '@sluice/core';
import type { TableName } from './ddl-statement.ts';

/**
 * EXCHANGE PARTITION and MariaDB's CONVERT PARTITION/TABLE: statements that move rows between
 * two tables without row events (docs/ddl.md, partitions). Read from the text; not a SQL parser.
 */
export interface PartitionMoveStatement {
  op: 'exchange' | 'out' | 'in';
  table: TableName;
  partition: string;
  other: TableName;
  /** CONVERT TABLE ... TO PARTITION: `PARTITION p VALUES ...`, one SQL piece. */
  definition?: string;
}

const NAME = '(?:`(?:[^`]|``)+`|[A-Za-z0-9_$\\u0080-\\uFFFF]+)';
const QNAME = `(${NAME})(?:\\s*\\.\\s*(${NAME}))?`;
const HEAD = `^ALTER (?:ONLINE |IGNORE )*TABLE (?:IF EXISTS )?${QNAME} `;
const EXCHANGE = new RegExp(`${HEAD}EXCHANGE PARTITION (${NAME}) WITH TABLE ${QNAME}(?: (?:WITH|WITHOUT) VALIDATION)?$`, 'i');
const OUT = new RegExp(`${HEAD}CONVERT PARTITION (${NAME}) TO TABLE ${QNAME}$`, 'i');
const IN = new RegExp(`${HEAD}CONVERT TABLE ${QNAME} TO (PARTITION (${NAME}) .*)$`, 'i');

const unquote = (n: string): string => (n.startsWith('`') ? n.slice(1, -1).replaceAll('``', '`') : n);
const qualified = (db: string, a: string, b: string | undefined): TableName =>
  b ? { database: unquote(a), table: unquote(b) } : { database: db, table: unquote(a) };

export function partitionMoveOf(statement: string, currentDb: string): PartitionMoveStatement | undefined {
  const sql = compactSql(statement).replace(/;$/, '');
  for (const [op, re] of [
    ['exchange', EXCHANGE],
    ['out', OUT],
  ] as const) {
    const m = re.exec(sql);
    if (!m) continue;
    const [, a, b, p, c, d] = m as unknown as string[];
    return {
      op,
      table: qualified(currentDb, a as string, b),
      partition: unquote(p as string),
      other: qualified(currentDb, c as string, d),
    };
  }
  const m = IN.exec(sql);
  if (m) {
    const [, a, b, c, d, definition, p] = m as unknown as string[];
    if (!isOneSqlPiece(definition as string)) return undefined;
    return {
      op: 'in',
      table: qualified(currentDb, a as string, b),
      partition: unquote(p as string),
      other: qualified(currentDb, c as string, d),
      definition: definition as string,
    };
  }
  return undefined;
}
