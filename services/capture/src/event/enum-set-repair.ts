import type { ColumnDef } from '@sluice/core';

/**
 * zongji decodes ENUM and SET from member lists. With binlog_row_metadata=FULL the lists come
 * from the binlog and are exact; when it falls back to information_schema (seen on MySQL 8.0.15
 * for wide tables) it splits COLUMN_TYPE on every comma and keeps SQL-doubled quotes, so a member
 * like 'b,c' or 'it''s' comes out wrong. The index it used is still recoverable: this maps the
 * value back through zongji's list to the real member.
 */

/** The member list exactly as zongji's fallback parser builds it. */
export function zongjiMembers(columnType: string): string[] {
  const prefix = columnType.toLowerCase().startsWith('enum') ? 5 : 4;
  return columnType
    .slice(prefix, columnType.length - 1)
    .split(',')
    .map((opt) => (opt[0] === '"' || opt[0] === "'" ? opt.slice(1, opt.length - 1) : opt));
}

/** The real members of enum('a','b,c','it''s'): SQL string literals, quotes doubled or escaped. */
export function realMembers(columnType: string): string[] {
  const body = columnType.slice(columnType.indexOf('(') + 1, columnType.lastIndexOf(')'));
  const out: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    out.push((m[1] as string).replace(/''/g, "'").replace(/\\(.)/g, '$1'));
  }
  return out;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A repair function per ENUM/SET column whose zongji list differs from the real one; empty if none. */
export function enumSetRepairs(columns: ColumnDef[]): Map<string, (v: string) => string> {
  const repairs = new Map<string, (v: string) => string>();
  for (const c of columns) {
    const kind = /^(enum|set)\(/i.exec(c.sqlType)?.[1]?.toLowerCase();
    if (!kind) continue;
    const naive = zongjiMembers(c.sqlType);
    const real = realMembers(c.sqlType);
    if (same(naive, real)) continue;
    const one = (v: string): string => {
      const hits = naive.flatMap((n, i) => (n === v && i < real.length ? [i] : []));
      if (hits.length !== 1) throw new Error(`cannot map ${kind} value ${JSON.stringify(v)} of ${c.name} back to a member`);
      return real[hits[0] as number] as string;
    };
    // SET members cannot contain commas (MySQL and MariaDB refuse them), so zongji's join splits back.
    // '' is the ENUM error value (index 0) unless zongji's naive list has an empty member of its own.
    const errorValue = !naive.includes('');
    repairs.set(
      c.name,
      kind === 'enum' ? (v) => (v === '' && errorValue ? '' : one(v)) : (v) => (v === '' ? '' : v.split(',').map(one).join(',')),
    );
  }
  return repairs;
}
