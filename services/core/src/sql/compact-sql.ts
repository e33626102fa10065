/**
 * Statement text with comments removed and each run of spaces made one, outside quotes only,
 * for code that reads binlog statements with regular expressions. Inside `` `..` `` names and
 * '..' / ".." strings every character stays: `a  b` and 'x /* y' are other names and values
 * than `a b` and 'x '.
 *
 * `/* *\/` comments go whole, executable ones too (`/*!50100 PARTITION BY ..*\/` is not a clause
 * the readers of this text want); `-- ` and `#` comments run to the end of the line.
 */
export function compactSql(sql: string): string {
  let out = '';
  let space = false;
  const n = sql.length;
  let i = 0;
  const gap = () => {
    space = out.length > 0;
  };
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      gap();
      i++;
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      gap();
    } else if (c === '#' || (c === '-' && next === '-' && (i + 2 >= n || /\s/.test(sql[i + 2] as string)))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
      gap();
    } else {
      const end = c === '`' || c === "'" || c === '"' ? quotedEnd(sql, i) : i + 1;
      if (space) out += ' ';
      space = false;
      out += sql.slice(i, end);
      i = end;
    }
  }
  return out;
}

/** Past the closing quote of the quoted part opening at `i` (doubled quotes; backslash escapes in strings). */
function quotedEnd(sql: string, i: number): number {
  const q = sql[i] as string;
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (c === '\\' && q !== '`') j += 2;
    else if (c === q && sql[j + 1] === q) j += 2;
    else if (c === q) return j + 1;
    else j++;
  }
  return sql.length;
}
