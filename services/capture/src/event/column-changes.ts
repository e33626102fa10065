/**
 * The column renames and drops an ALTER TABLE statement makes, read from its text (design
 * contract 11: a rename is replicated from the DDL, never guessed from column sets). Only the
 * clauses that change which column a name stands for matter here: RENAME COLUMN, CHANGE (with a
 * new name), DROP [COLUMN]; ADD is read so that a drop and re-add of one name can be told.
 */
export interface ColumnChanges {
  renames: { from: string; to: string }[];
  drops: string[];
  adds: string[];
  /** Each added column's definition as written after its name (type, NULL, DEFAULT, ...). */
  addDefinitions?: { name: string; definition: string }[];
}

/** Former names by current column name, most recent first (TableSchema.renames). */
export type RenameHistory = Record<string, string[]>;

const NAME = '(`(?:[^`]|``)+`|[A-Za-z0-9_$\\u0080-\\uFFFF]+)';
const QNAME = `${NAME}(?:\\s*\\.\\s*${NAME})?`;
const NOT_COLUMN = /^(INDEX|KEY|PRIMARY|UNIQUE|FULLTEXT|SPATIAL|FOREIGN|CONSTRAINT|CHECK|PARTITION|PERIOD|SYSTEM)$/i;

const unquote = (n: string): string => (n.startsWith('`') ? n.slice(1, -1).replaceAll('``', '`') : n);

/**
 * The statement without comments (the text of MySQL's executable comments kept), cut into its
 * top-level comma-separated parts; quotes and parentheses are respected.
 */
function topLevelParts(sql: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && ch !== '`') j += 2;
        else if (sql[j] === ch && sql[j + 1] === ch) j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      cur += sql.slice(i, j + 1);
      i = j;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      const body = sql.slice(i + 2, end < 0 ? sql.length : end);
      const exec = /^!\d*/.exec(body);
      // An executable comment (/*!50100 ... */) is SQL the server ran: keep its text.
      cur += exec ? ` ${body.slice(exec[0].length)} ` : ' ';
      i = end < 0 ? sql.length : end + 1;
    } else if (ch === '#' || (sql.startsWith('--', i) && /\s/.test(sql[i + 2] ?? ' '))) {
      const end = sql.indexOf('\n', i);
      cur += ' ';
      i = end < 0 ? sql.length : end;
    } else if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      cur += ch;
    }
  }
  parts.push(cur.trim());
  return parts;
}

/** The column changes of an ALTER TABLE statement; undefined for any other statement. */
export function columnChanges(statement: string): ColumnChanges | undefined {
  const parts = topLevelParts(statement);
  const head = new RegExp(`^ALTER\\s+(?:(?:ONLINE|IGNORE)\\s+)*TABLE\\s+(?:IF\\s+EXISTS\\s+)?${QNAME}\\s*`, 'i').exec(
    parts[0] ?? '',
  );
  if (!head) return undefined;
  parts[0] = (parts[0] as string).slice(head[0].length);
  const out: ColumnChanges = { renames: [], drops: [], adds: [] };
  const opt = (w: string) => `(?:${w}\\s+)?`;
  for (const part of parts) {
    let m = new RegExp(`^RENAME\\s+COLUMN\\s+${opt('IF\\s+EXISTS')}${NAME}\\s+TO\\s+${NAME}`, 'i').exec(part);
    if (m) {
      out.renames.push({ from: unquote(m[1] as string), to: unquote(m[2] as string) });
      continue;
    }
    m = new RegExp(`^CHANGE\\s+${opt('COLUMN')}${opt('IF\\s+EXISTS')}${NAME}\\s+${NAME}`, 'i').exec(part);
    if (m) {
      const from = unquote(m[1] as string);
      const to = unquote(m[2] as string);
      if (from !== to) out.renames.push({ from, to });
      continue;
    }
    m = new RegExp(`^DROP\\s+(COLUMN\\s+)?${opt('IF\\s+EXISTS')}${NAME}`, 'i').exec(part);
    if (m && (m[1] || !NOT_COLUMN.test(m[2] as string))) {
      out.drops.push(unquote(m[2] as string));
      continue;
    }
    m = new RegExp(`^ADD\\s+(COLUMN\\s+)?${opt('IF\\s+NOT\\s+EXISTS')}(?:\\((.*)\\)\\s*$|${NAME})`, 'is').exec(part);
    const added = (name: string, definition: string) => {
      out.adds.push(name);
      out.addDefinitions ??= [];
      out.addDefinitions.push({ name, definition: definition.trim() });
    };
    if (m?.[2] !== undefined) {
      for (const def of topLevelParts(m[2])) {
        const n = new RegExp(`^${NAME}`).exec(def);
        if (n) added(unquote(n[1] as string), def.slice(n[0].length));
      }
    } else if (m && (m[1] || !NOT_COLUMN.test(m[3] as string))) {
      added(unquote(m[3] as string), part.slice(m[0].length));
    }
  }
  return out;
}

/** The key of `name` in `h`, compared as MySQL compares column names (case-insensitively). */
const keyOf = (h: RenameHistory, name: string): string | undefined =>
  Object.keys(h).find((k) => k.toLowerCase() === name.toLowerCase());

/**
 * The rename history after one ALTER. Its clauses all refer to the table as it was before the
 * statement (so `RENAME COLUMN a TO b, RENAME COLUMN b TO a` swaps); a dropped column's history
 * goes with it.
 */
export function nextRenames(h: RenameHistory, c: ColumnChanges): RenameHistory {
  const next: RenameHistory = { ...h };
  const forget = (name: string) => {
    const k = keyOf(next, name);
    if (k !== undefined) delete next[k];
  };
  for (const d of c.drops) forget(d);
  const moved = c.renames.map((r) => {
    const k = keyOf(h, r.from);
    return { to: r.to, former: [r.from, ...(k === undefined ? [] : (h[k] ?? []))] };
  });
  for (const r of c.renames) forget(r.from);
  for (const r of moved) {
    forget(r.to);
    next[r.to] = r.former;
  }
  return next;
}
