import type { ColumnDefault } from '@sluice/core';

/**
 * The value an ALTER TABLE ... ADD COLUMN gave the rows already in the table, read from the
 * column's definition as the statement wrote it: its DEFAULT, else NULL for a nullable column.
 * The capture reads definitions from information_schema when it reads the DDL, which may be after
 * a later `ALTER ... SET DEFAULT` (a capture behind the source): sinks then fill the old rows with
 * this value, not the later default. undefined when it cannot be told (an expression the server
 * computed, a NOT NULL column without DEFAULT: the type's zero value, which the target gives too).
 */
export function addedFill(definition: string): ColumnDefault | undefined {
  const sql = definition.trim();
  const at = topLevelKeyword(sql, 'DEFAULT');
  if (at < 0) return topLevelKeyword(sql, 'NOT NULL') < 0 ? { kind: 'null' } : undefined;
  return literal(sql.slice(at + 'DEFAULT'.length).trimStart());
}

/** Index of a keyword outside quotes and parentheses, as a whole word; -1 when absent. */
function topLevelKeyword(sql: string, word: string): number {
  const re = new RegExp(`^${word.replace(' ', '\\s+')}\\b`, 'i');
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === '`') {
      i = closing(sql, i);
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
    } else if (depth === 0 && (i === 0 || /[\s)]/.test(sql[i - 1] as string)) && re.test(sql.slice(i))) {
      return i;
    }
  }
  return -1;
}

/** Index of the quote closing the one at `i` ('' and backslash escapes skipped). */
function closing(sql: string, i: number): number {
  const q = sql[i];
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === '\\' && q !== '`') j += 2;
    else if (sql[j] === q && sql[j + 1] === q) j += 2;
    else if (sql[j] === q) return j;
    else j++;
  }
  return sql.length;
}

const ESCAPES: Record<string, string> = { '0': '\0', n: '\n', r: '\r', t: '\t', b: '\b', Z: '\x1a' };

/** A quoted string's value under the default sql_mode (backslash escapes on). */
function unquoteString(body: string, q: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\' && i + 1 < body.length) {
      const next = body[++i] as string;
      out += ESCAPES[next] ?? next;
    } else if (ch === q && body[i + 1] === q) {
      out += q;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** The DEFAULT value at the start of `rest`, when it is a literal (or NULL). */
function literal(rest: string): ColumnDefault | undefined {
  if (/^NULL\b/i.test(rest)) return { kind: 'null' };
  if (/^TRUE\b/i.test(rest)) return { kind: 'text', value: '1' };
  if (/^FALSE\b/i.test(rest)) return { kind: 'text', value: '0' };
  const num = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?(?![\w.])/i.exec(rest);
  if (num) return { kind: 'text', value: num[0].replace(/^\+/, '') };
  const hex = /^(?:x'([0-9a-f]*)'|0x([0-9a-f]+)\b)/i.exec(rest);
  if (hex) {
    const h = (hex[1] ?? hex[2] ?? '').toLowerCase();
    return h.length % 2 === 0 ? { kind: 'bytes', hex: h } : undefined;
  }
  // A character set introducer (_utf8mb4'x') or N'x' does not change the characters.
  const str = /^(?:_[a-z0-9]+\s*|N)?(['"])/i.exec(rest);
  if (str) {
    const start = str[0].length - 1;
    const end = closing(rest, start);
    if (end >= rest.length) return undefined;
    return { kind: 'text', value: unquoteString(rest.slice(start + 1, end), str[1] as string) };
  }
  // Expressions (CURRENT_TIMESTAMP, (expr), b'...') are left to the definition the catalog has.
  return undefined;
}
