import { isPunct, isWord, type SqlToken, sqlTokens } from './sql-tokens.ts';

/** What a secret literal becomes. */
export const REDACTED = '[redacted]';

/** Functions whose string arguments are passwords or keys: every literal inside them goes. */
const SECRET_FUNCTIONS = new Set([
  'PASSWORD',
  'OLD_PASSWORD',
  'ENCRYPT',
  'AES_ENCRYPT',
  'AES_DECRYPT',
  'DES_ENCRYPT',
  'DES_DECRYPT',
  'ENCODE',
  'DECODE',
  'KDF',
  'VALIDATE_PASSWORD_STRENGTH',
]);

/** Inside any literal: the password of a URL (`scheme://user:pw@`) and `password=`/`pwd=` values. */
const URL_PASSWORD = /(\/\/[^:/@'"\s]*):[^'"\s]*@/g;
const KEY_PASSWORD = /\b((?:password|passwd|pwd)\s*=\s*)[^,;'"\s]*/gi;

/**
 * `sql` with every secret literal replaced by '[redacted]', so that a statement read from the
 * binlog can be logged, published or put in an error message. Secrets are the literals after
 * IDENTIFIED BY [PASSWORD], IDENTIFIED WITH|VIA plugin BY|AS|USING (and `OR plugin USING`),
 * REPLACE 'old', `*PASSWORD [=]` (SET PASSWORD, MASTER_/SOURCE_PASSWORD, START SLAVE PASSWORD,
 * CREATE SERVER OPTIONS (PASSWORD ..)), and the arguments of PASSWORD(), OLD_PASSWORD() and the
 * encryption functions; in any other literal, the password of a URL and `password=` values
 * (FEDERATED/CONNECT CONNECTION strings). Everything else is kept as written, so that the
 * statement still tells what happened.
 */
export function redactSql(sql: string): string {
  const tokens = sqlTokens(sql);
  const cuts: { start: number; end: number; text: string }[] = [];
  let statementStart = 0;
  let identified = false;
  let depth = 0;
  const secretCalls: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as SqlToken;
    if (t.kind === 'punct') {
      if (t.text === ';') {
        statementStart = i + 1;
        identified = false;
        depth = 0;
        secretCalls.length = 0;
      } else if (t.text === '(') {
        depth++;
        const f = tokens[i - 1];
        if (f?.kind === 'word' && SECRET_FUNCTIONS.has(f.upper)) secretCalls.push(depth);
      } else if (t.text === ')') {
        if (secretCalls.at(-1) === depth) secretCalls.pop();
        depth--;
      }
      continue;
    }
    if (isWord(t, 'IDENTIFIED')) identified = true;
    const hex = t.kind === 'word' && /^0x[0-9a-f]*$/i.test(t.text);
    if (t.kind !== 'string' && !hex) continue;
    if (secretCalls.length > 0 || secretAt(tokens, i, statementStart, identified)) {
      const quote = t.kind === 'string' ? sql[t.open] : "'";
      cuts.push({ start: t.kind === 'string' ? t.open : t.start, end: t.end, text: `${quote}${REDACTED}${quote}` });
    } else if (t.kind === 'string') {
      const raw = sql.slice(t.open, t.end);
      const clean = raw.replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(KEY_PASSWORD, `$1${REDACTED}`);
      if (clean !== raw) cuts.push({ start: t.open, end: t.end, text: clean });
    }
  }
  let out = '';
  let at = 0;
  for (const c of cuts) {
    out += sql.slice(at, c.start) + c.text;
    at = c.end;
  }
  return out + sql.slice(at);
}

/** Whether the literal at token `i` sits where a password goes. */
function secretAt(tokens: SqlToken[], i: number, statementStart: number, identified: boolean): boolean {
  let j = i - 1;
  // A spaced introducer (`BY _utf8mb4 'x'`) stands between the keyword and the literal.
  const intro = tokens[j];
  if (intro?.kind === 'word' && intro.upper.startsWith('_')) j--;
  const [p1, p2, p3] = [tokens[j], tokens[j - 1], tokens[j - 2]];
  const passwordWord = (t: SqlToken | undefined) => t?.kind === 'word' && t.upper.endsWith('PASSWORD');
  if (isWord(p1, 'BY') && isWord(p2, 'IDENTIFIED')) return true;
  if (passwordWord(p1) || isWord(p1, 'REPLACE')) return true;
  if (isPunct(p1, '=') && passwordWord(p2)) return true;
  const plugin = p2?.kind === 'word' || p2?.kind === 'name' || p2?.kind === 'string';
  if (identified && isWord(p1, 'BY', 'AS', 'USING') && plugin && isWord(p3, 'WITH', 'VIA', 'OR')) return true;
  // SET PASSWORD [FOR user] = 'secret'
  if (isWord(tokens[statementStart], 'SET') && isWord(tokens[statementStart + 1], 'PASSWORD')) {
    for (let k = statementStart + 2; k < i; k++) if (isPunct(tokens[k], '=')) return true;
  }
  return false;
}

/**
 * Statements about accounts, privileges, roles, servers and replication, by their leading
 * keywords: `CREATE USER`, `GRANT`, `SET PASSWORD`, `CHANGE MASTER`... Their text is not worth
 * logging and may carry secrets in forms no redaction foresaw; the kind alone is logged.
 */
const ACCOUNT_KINDS: string[][] = [
  ['CREATE', 'USER'],
  ['CREATE', 'ROLE'],
  ['CREATE', 'SERVER'],
  ['ALTER', 'USER'],
  ['ALTER', 'SERVER'],
  ['DROP', 'USER'],
  ['DROP', 'ROLE'],
  ['DROP', 'SERVER'],
  ['RENAME', 'USER'],
  ['GRANT'],
  ['REVOKE'],
  ['SET', 'PASSWORD'],
  ['SET', 'DEFAULT', 'ROLE'],
  ['CHANGE', 'MASTER'],
  ['CHANGE', 'REPLICATION'],
  ['START', 'SLAVE'],
  ['START', 'REPLICA'],
  ['START', 'GROUP_REPLICATION'],
  ['START', 'ALL', 'SLAVES'],
  ['START', 'ALL', 'REPLICAS'],
];

/** The kind (`CREATE USER`, `GRANT`...) of an account/privilege/server/replication statement, else undefined. */
export function accountStatementKind(sql: string): string | undefined {
  const words: string[] = [];
  for (const t of sqlTokens(sql)) {
    if (t.kind !== 'word') break;
    // CREATE OR REPLACE USER is a CREATE USER.
    if ((t.upper === 'OR' || t.upper === 'REPLACE') && words[0] === 'CREATE') continue;
    words.push(t.upper);
    if (words.length === 3) break;
  }
  const kind = ACCOUNT_KINDS.find((k) => k.every((w, n) => words[n] === w));
  return kind?.join(' ');
}

/**
 * What a log line may carry of a statement read from the source: the kind alone for an account
 * statement, else the redacted text cut at `max` characters.
 */
export function statementForLog(sql: string, max = 200): { statement: string } | { kind: string } {
  const kind = accountStatementKind(sql);
  if (kind) return { kind };
  const text = redactSql(sql);
  return { statement: text.length > max ? `${text.slice(0, max)}…` : text };
}
