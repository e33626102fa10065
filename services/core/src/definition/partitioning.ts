import { isOneSqlPiece } from '../sql/sql-piece.ts';

/**
 * The `PARTITION BY ...` clause of a SHOW CREATE TABLE text, or undefined. MariaDB and TiDB print
 * it after the table options; MySQL wraps it in a version comment (`/*!50100 ... *\/`). The
 * clause is kept as text, without the comment and without per-partition `ENGINE = InnoDB`
 * (the target's engine is its own business).
 */
export function partitionClause(showCreate: string): string | undefined {
  // Column and index lines are indented; the line closing the column list starts with ')' and
  // holds the table options (a COMMENT there may say anything); the clause is on the lines after.
  const lines = showCreate.split('\n');
  const close = lines.findIndex((l) => l.startsWith(')'));
  if (close < 0) return undefined;
  const tail = lines.slice(close + 1).join('\n');
  const at = tail.search(/PARTITION BY/i);
  if (at < 0) return undefined;
  const clause = tail
    .slice(at)
    .trim()
    .replace(/\s*\*\/$/, '');
  return clause.replace(/\s+(STORAGE\s+)?ENGINE\s*=\s*\w+/gi, '').trim();
}

/**
 * The clause as its meaning, to compare across servers: quoting, case and spacing are spelling,
 * and so are TiDB's `LESS THAN (MAXVALUE)` and MySQL's unquoted partition names.
 */
export function canonicalPartitioning(clause: string | undefined): string | undefined {
  if (!clause) return undefined;
  return clause
    .replace(/`/g, '')
    .replace(/\(\s*maxvalue\s*\)/gi, 'MAXVALUE')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .toLowerCase()
    .trim();
}

/**
 * Whether a clause read from the registry is one clause and nothing more: quotes closed,
 * parentheses balanced, no statement end and no comment outside quotes. DDL is never built from
 * text that fails this.
 */
export function isSingleClause(sql: string): boolean {
  return isOneSqlPiece(sql) && /^PARTITION BY /i.test(sql);
}
