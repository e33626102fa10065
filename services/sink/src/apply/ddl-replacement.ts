import { accountStatementKind, isPunct, SluiceError, sqlTokens } from '@sluice/core';

/**
 * What a replacement may start with: schema statements, which is what it stands in for, and the
 * row statements that stand in for a partition statement the target cannot take (DELETE ... WHERE
 * for a TRUNCATE PARTITION on a table partitioned otherwise, INSERT ... SELECT for an EXCHANGE).
 */
const DDL_WORDS = new Set(['ALTER', 'CREATE', 'DROP', 'RENAME', 'TRUNCATE', 'DELETE', 'INSERT', 'UPDATE']);

/**
 * An operator's replacement statement, checked before it is recorded: one statement (a trailing
 * `;` is dropped), a schema statement (ALTER, CREATE, DROP, RENAME), never an account or privilege
 * statement. It runs as written: it is the operator's SQL.
 */
export function checkReplacement(sql: string): string {
  const text = sql.trim().replace(/;\s*$/, '').trim();
  if (!text) throw new SluiceError('CONFIG_INVALID', '--sql is empty');
  const tokens = sqlTokens(text);
  if (tokens.some((t) => isPunct(t, ';'))) {
    throw new SluiceError('CONFIG_INVALID', '--sql holds more than one statement: give each with its own --sql');
  }
  const first = tokens[0];
  if (first?.kind !== 'word' || !DDL_WORDS.has(first.upper) || accountStatementKind(text)) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `--sql must be a table statement (ALTER, CREATE, DROP, RENAME, TRUNCATE, DELETE, INSERT or UPDATE), not ${JSON.stringify(text.split(/\s+/).slice(0, 2).join(' '))}`,
    );
  }
  return text;
}
