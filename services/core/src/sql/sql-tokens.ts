/**
 * MySQL/MariaDB statement text as tokens, for code that must read statements it did not write
 * (binlog query events): what to redact, which tables a statement writes. Not a parser: it knows
 * quoting and comments, so that a keyword inside a string or a comment is never taken for code.
 *
 * - `'..'` and `"..."` are strings (backslash escapes and doubled quotes); an unterminated one runs
 *   to the end of the text. `_charset'..'`, `N'..'`, `X'..'` and `B'..'` are one string token.
 * - `` `..` `` is a quoted name (doubled backticks inside), `text` holds the name.
 * - `/* *\/`, `-- ` and `#` comments are skipped; the body of an executable comment (`/*!50001 .. *\/`,
 *   `/*M!100100 .. *\/`) is read as code, whatever its version: the server may run it.
 */
export type SqlToken =
  | { kind: 'word'; text: string; upper: string; start: number; end: number }
  | { kind: 'name'; text: string; start: number; end: number }
  /** `open` is the index of the opening quote (after any introducer); `end` is past the closing one. */
  | { kind: 'string'; start: number; open: number; end: number }
  | { kind: 'punct'; text: string; start: number; end: number };

const WORD = /[\p{L}\p{N}_$\u0080-\uffff]/u;

export function sqlTokens(sql: string): SqlToken[] {
  const out: SqlToken[] = [];
  const n = sql.length;
  let i = 0;
  let inExecutable = false;
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && next === '*') {
      const exec = /^\/\*M?!\d*/.exec(sql.slice(i, i + 12));
      if (exec) {
        inExecutable = true;
        i += exec[0].length;
      } else {
        const close = sql.indexOf('*/', i + 2);
        i = close < 0 ? n : close + 2;
      }
    } else if (c === '*' && next === '/' && inExecutable) {
      inExecutable = false;
      i += 2;
    } else if (c === '#' || (c === '-' && next === '-' && (i + 2 >= n || /[\s]/.test(sql[i + 2] as string)))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === "'" || c === '"') {
      const end = stringEnd(sql, i);
      out.push({ kind: 'string', start: i, open: i, end });
      i = end;
    } else if (c === '`') {
      let j = i + 1;
      let text = '';
      while (j < n) {
        if (sql[j] === '`') {
          if (sql[j + 1] === '`') {
            text += '`';
            j += 2;
            continue;
          }
          j++;
          break;
        }
        text += sql[j];
        j++;
      }
      out.push({ kind: 'name', text, start: i, end: j });
      i = j;
    } else if (WORD.test(c)) {
      let j = i + 1;
      while (j < n && WORD.test(sql[j] as string)) j++;
      const text = sql.slice(i, j);
      // An introducer or a literal prefix glued to a string is part of it.
      if ((sql[j] === "'" || sql[j] === '"') && /^(_\w+|[NXB])$/i.test(text)) {
        const end = stringEnd(sql, j);
        out.push({ kind: 'string', start: i, open: j, end });
        i = end;
        continue;
      }
      out.push({ kind: 'word', text, upper: text.toUpperCase(), start: i, end: j });
      i = j;
    } else {
      out.push({ kind: 'punct', text: c, start: i, end: i + 1 });
      i++;
    }
  }
  return out;
}

/** Index just after the string that opens at `open` (its quote), or the end of the text. */
function stringEnd(sql: string, open: number): number {
  const q = sql[open];
  let j = open + 1;
  while (j < sql.length) {
    const ch = sql[j];
    if (ch === '\\') j += 2;
    else if (ch === q) {
      if (sql[j + 1] === q) j += 2;
      else return j + 1;
    } else j++;
  }
  return sql.length;
}

/** Whether token `t` is the keyword `word` (any case). */
export const isWord = (t: SqlToken | undefined, ...words: string[]): boolean => t?.kind === 'word' && words.includes(t.upper);

/** Whether token `t` is the punctuation `p`. */
export const isPunct = (t: SqlToken | undefined, p: string): boolean => t?.kind === 'punct' && t.text === p;
