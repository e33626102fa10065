import { accountStatementKind, isPunct, SluiceError, sqlTokens } from '@sluice/core';

/** What a replacement may start with: schema statements, which is what it stands in for. */
const DDL_WORDS = new Set(['ALTER', 'CREATE', 'DROP', 'RENAME']);

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
      `--sql must be a table statement (ALTER, CREATE, DROP or RENAME), not ${JSON.stringify(text.split(/\s+/).slice(0, 2).join(' '))}`,
    );
  }
  return text;
}
