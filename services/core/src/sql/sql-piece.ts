/**
 * Whether SQL text that came from elsewhere (the registry, a binlog statement) is one piece of a
 * statement and nothing more: quotes closed, parentheses balanced, no statement end and no comment
 * outside quotes, not empty. DDL is never built from text that fails this.
 */
export function isOneSqlPiece(sql: string): boolean {
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== ch) j += sql[j] === '\\' && ch !== '`' ? 2 : 1;
      if (j >= sql.length) return false;
      i = j;
    } else if (ch === ';' || ch === '#' || sql.startsWith('/*', i) || sql.startsWith('--', i)) {
      return false;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')' && --depth < 0) {
      return false;
    }
  }
  return depth === 0 && sql.trim().length > 0;
}
