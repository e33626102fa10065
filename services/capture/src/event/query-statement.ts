import { isPunct, isWord, type SqlToken, sqlTokens, statementForLog } from '@sluice/core';

/**
 * What a binlog query event is, read from its text. With binlog_format ROW a query event is
 * transaction control or DDL; a session with binlog_format STATEMENT (or MIXED) also writes DML
 * as query events, and those changes never arrive as rows. Not a SQL parser: it finds the verb
 * and the tables a DML statement writes, through comments, executable comments, quoted and
 * qualified names. Unqualified names belong to `currentDb` (the event's current database).
 */
export interface TableName {
  database: string;
  table: string;
}

/** `create`: CREATE TABLE ... SELECT; `call`: a statement calling a stored function (SELECT f(), DO f()). */
export type DmlVerb = 'insert' | 'replace' | 'update' | 'delete' | 'load' | 'create' | 'call';

export type QueryClass =
  | { kind: 'begin' }
  /** COMMIT; also ROLLBACK, since what it logged before (non-transactional changes) did happen. */
  | { kind: 'commit' }
  /** SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT: inside a transaction, which goes on. */
  | { kind: 'savepoint' }
  /** CREATE/DROP TEMPORARY TABLE (session-scoped, never replicated as rows). */
  | { kind: 'temporary'; action: 'create' | 'drop'; tables: TableName[] }
  /** `unnamed`: a stored function (SELECT f(), DO f()) wrote tables the statement does not name. */
  | { kind: 'dml'; verb: DmlVerb; tables: TableName[]; unnamed: boolean }
  /** Anything else. `writes`: a CREATE TABLE ... SELECT logged as a statement, whose rows never come as rows. */
  | { kind: 'ddl'; writes?: TableName[] };

/**
 * The fields of the capture's log line for a DDL event: the kind alone of an account statement
 * (CREATE USER, GRANT...), else the redacted text, cut short.
 */
export const ddlLogFields = (database: string, statement: string) => ({ database, ...statementForLog(statement) });

export function classifyQuery(sql: string, currentDb: string): QueryClass {
  let t = sqlTokens(sql);
  // MariaDB's SET STATEMENT var = value [, ...] FOR <statement>
  if (isWord(t[0], 'SET') && isWord(t[1], 'STATEMENT')) t = t.slice(topLevel(t, 2, (x) => isWord(x, 'FOR')) + 1);
  // A CTE in front of UPDATE or DELETE (MySQL 8).
  if (isWord(t[0], 'WITH')) t = t.slice(topLevel(t, 1, (x) => isWord(x, 'UPDATE', 'DELETE', 'INSERT', 'REPLACE', 'SELECT')));
  const w = (i: number) => (t[i]?.kind === 'word' ? (t[i] as { upper: string }).upper : '');
  const names = new Names(t, currentDb);
  switch (w(0)) {
    case 'BEGIN':
      // BEGIN NOT ATOMIC ... END is a compound statement, not a transaction start.
      return t.length === 1 || (t.length === 2 && w(1) === 'WORK') ? { kind: 'begin' } : { kind: 'ddl' };
    case 'COMMIT':
      return { kind: 'commit' };
    case 'ROLLBACK':
      return w(1) === 'TO' || (w(1) === 'WORK' && w(2) === 'TO') ? { kind: 'savepoint' } : { kind: 'commit' };
    case 'SAVEPOINT':
      return { kind: 'savepoint' };
    case 'RELEASE':
      return w(1) === 'SAVEPOINT' ? { kind: 'savepoint' } : { kind: 'ddl' };
    case 'INSERT':
    case 'REPLACE': {
      const table = names.read(skipWords(t, 1, ['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE', 'INTO']));
      return dml(w(0) === 'INSERT' ? 'insert' : 'replace', table ? [table.name] : []);
    }
    case 'LOAD': {
      const i = topLevel(t, 1, (x, k) => isWord(x, 'INTO') && isWord(t[k + 1], 'TABLE'));
      const table = names.read(i + 2);
      return dml('load', table ? [table.name] : []);
    }
    case 'UPDATE': {
      const start = skipWords(t, 1, ['LOW_PRIORITY', 'IGNORE']);
      const set = topLevel(t, start, (x) => isWord(x, 'SET'));
      const refs = names.references(start, set);
      return dml('update', names.assigned(set + 1, refs));
    }
    case 'DELETE':
      return dml('delete', names.deleted(skipWords(t, 1, ['LOW_PRIORITY', 'QUICK', 'IGNORE'])));
    case 'SELECT':
    case 'DO':
    case 'CALL':
      return { kind: 'dml', verb: 'call', tables: [], unnamed: true };
    case 'CREATE':
    case 'DROP': {
      const i = skipWords(t, 1, ['OR', 'REPLACE']);
      if (w(0) === 'CREATE' && w(i) === 'TABLE') return createTable(t, names, i + 1);
      if (w(i) !== 'TEMPORARY' || w(i + 1) !== 'TABLE') return { kind: 'ddl' };
      const tables = names.list(skipWords(t, i + 2, ['IF', 'NOT', 'EXISTS'])).map((n) => n.name);
      return {
        kind: 'temporary',
        action: w(0) === 'CREATE' ? 'create' : 'drop',
        tables: w(0) === 'CREATE' ? tables.slice(0, 1) : tables,
      };
    }
    default:
      return { kind: 'ddl' };
  }
}

/** A statement whose target could not be read is taken to write tables it does not name. */
const dml = (verb: DmlVerb, tables: TableName[]): QueryClass => ({
  kind: 'dml',
  verb,
  tables: unique(tables),
  unnamed: tables.length === 0,
});

/**
 * CREATE TABLE from token i (after TABLE). With ROW the server logs a CREATE TABLE ... SELECT as
 * the plain definition followed by row events; a SELECT still in the text means it was logged as a
 * statement, and the rows it copied never come as rows.
 */
function createTable(t: SqlToken[], names: Names, i: number): QueryClass {
  const table = names.read(skipWords(t, i, ['IF', 'NOT', 'EXISTS']));
  if (!table) return { kind: 'ddl' };
  // SELECT is reserved: as a word it can only start the query (CHECK and generated columns take no subqueries).
  const select = t.some((x, k) => k >= table.next && isWord(x, 'SELECT'));
  return select ? { kind: 'ddl', writes: [table.name] } : { kind: 'ddl' };
}

function unique(tables: TableName[]): TableName[] {
  const seen = new Set<string>();
  return tables.filter((x) => {
    const k = `${x.database}\u0000${x.table}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function skipWords(t: SqlToken[], i: number, words: string[]): number {
  while (isWord(t[i], ...words)) i++;
  return i;
}

/** Index of the first token from `i` on, outside parentheses, that `match`es; t.length if none. */
function topLevel(t: SqlToken[], i: number, match: (x: SqlToken, k: number) => boolean): number {
  let depth = 0;
  for (let k = i; k < t.length; k++) {
    const x = t[k] as SqlToken;
    if (isPunct(x, '(')) depth++;
    else if (isPunct(x, ')')) depth--;
    else if (depth === 0 && match(x, k)) return k;
  }
  return t.length;
}

/** Words that end a table reference instead of naming its alias. */
const NOT_ALIAS = new Set(
  'JOIN INNER LEFT RIGHT OUTER CROSS NATURAL STRAIGHT_JOIN FULL ON USING WHERE SET PARTITION USE IGNORE FORCE ORDER LIMIT GROUP HAVING WINDOW FOR LOCK INTO VALUES VALUE SELECT UNION RETURNING FROM'.split(
    ' ',
  ),
);
const JOINS = new Set(['JOIN', 'STRAIGHT_JOIN']);

interface Ref {
  name: TableName;
  alias: string | undefined;
  /** The name as written, when unqualified: `UPDATE a, b SET a.v` may say `a` for `cur.a`. */
  bare: string | undefined;
}

/** Table names in a token list. */
class Names {
  private readonly t: SqlToken[];
  private readonly currentDb: string;

  constructor(t: SqlToken[], currentDb: string) {
    this.t = t;
    this.currentDb = currentDb;
  }

  private ident(i: number): string | undefined {
    const x = this.t[i];
    return x?.kind === 'word' || x?.kind === 'name' ? x.text : undefined;
  }

  /** `name`, `db.name`, optional PARTITION (..), optional [AS] alias, at token i. */
  read(i: number): (Ref & { next: number }) | undefined {
    const a = this.ident(i);
    if (a === undefined) return undefined;
    let next = i + 1;
    let name: TableName = { database: this.currentDb, table: a };
    let bare: string | undefined = a;
    if (isPunct(this.t[next], '.') && this.ident(next + 1) !== undefined) {
      name = { database: a, table: this.ident(next + 1) as string };
      bare = undefined;
      next += 2;
    }
    if (isWord(this.t[next], 'PARTITION') && isPunct(this.t[next + 1], '('))
      next = topLevel(this.t, next + 1, (x) => isPunct(x, ')'));
    let alias: string | undefined;
    if (isWord(this.t[next], 'AS')) next++;
    const x = this.t[next];
    if ((x?.kind === 'word' && !NOT_ALIAS.has(x.upper)) || x?.kind === 'name') {
      alias = x.text;
      next++;
    }
    return { name, alias, bare, next };
  }

  /** A comma list of names (`a, s.b.*`) from token i, up to the first token that continues otherwise. */
  list(i: number): (Ref & { next: number })[] {
    const out: (Ref & { next: number })[] = [];
    for (;;) {
      const r = this.read(i);
      if (!r) return out;
      let next = r.next;
      // `tbl.*` in a multi-table DELETE: read() took `*`-less `tbl` and no alias
      if (isPunct(this.t[next], '.') && isPunct(this.t[next + 1], '*')) next += 2;
      out.push({ ...r, next });
      if (!isPunct(this.t[next], ',')) return out;
      i = next + 1;
    }
  }

  /** The tables of a table_references clause between tokens `from` and `to`. */
  references(from: number, to: number): Ref[] {
    const out: Ref[] = [];
    // One frame per parenthesis: does it hold table references, and is a join condition open?
    const frames: { tables: boolean; condition: boolean }[] = [{ tables: true, condition: false }];
    let expectTable = true;
    for (let k = from; k < to; k++) {
      const x = this.t[k] as SqlToken;
      const frame = frames.at(-1) as { tables: boolean; condition: boolean };
      if (isPunct(x, '(')) {
        const sub = isWord(this.t[k + 1], 'SELECT', 'WITH', 'VALUES', 'TABLE');
        frames.push({ tables: expectTable && !sub, condition: false });
        expectTable = expectTable && !sub;
        continue;
      }
      if (isPunct(x, ')')) {
        if (frames.length > 1) frames.pop();
        expectTable = false;
        continue;
      }
      if (expectTable) {
        const r = this.read(k);
        expectTable = false;
        if (r) {
          out.push(r);
          k = r.next - 1;
        }
        continue;
      }
      if (x.kind === 'word' && JOINS.has(x.upper)) {
        frame.condition = false;
        expectTable = true;
      } else if (isWord(x, 'ON', 'USING', 'WHERE')) {
        frame.condition = true;
      } else if (isPunct(x, ',') && frame.tables && !frame.condition) {
        expectTable = true;
      }
    }
    return out;
  }

  /** The tables among `refs` whose columns the SET list from token i assigns; all of them when unsure. */
  assigned(i: number, refs: Ref[]): TableName[] {
    if (refs.length <= 1) return refs.map((r) => r.name);
    const out: TableName[] = [];
    const end = topLevel(this.t, i, (x) => isWord(x, 'WHERE', 'ORDER', 'LIMIT'));
    let k = i;
    while (k < end) {
      const parts: string[] = [];
      while (this.ident(k) !== undefined) {
        parts.push(this.ident(k) as string);
        if (!isPunct(this.t[k + 1], '.')) break;
        k += 2;
      }
      if (parts.length === 1) return refs.map((r) => r.name);
      const target =
        parts.length === 3 ? { database: parts[0] as string, table: parts[1] as string } : this.resolve(parts[0] as string, refs);
      if (!target) return refs.map((r) => r.name);
      out.push(target);
      k = topLevel(this.t, k + 1, (x) => isPunct(x, ','));
      k++;
    }
    return out.length ? out : refs.map((r) => r.name);
  }

  /** The tables a DELETE writes, its modifiers skipped up to token i. */
  deleted(i: number): TableName[] {
    if (isWord(this.t[i], 'FROM')) {
      const targets = this.list(i + 1);
      const using = targets.at(-1)?.next ?? i + 1;
      if (!isWord(this.t[using], 'USING')) return targets.slice(0, 1).map((r) => r.name);
      const refs = this.references(
        using + 1,
        topLevel(this.t, using + 1, (x) => isWord(x, 'WHERE')),
      );
      return targets.map((r) => this.resolveRef(r, refs));
    }
    const targets = this.list(i);
    const from = topLevel(this.t, i, (x) => isWord(x, 'FROM'));
    const refs = this.references(
      from + 1,
      topLevel(this.t, from + 1, (x) => isWord(x, 'WHERE', 'ORDER', 'LIMIT')),
    );
    return targets.map((r) => this.resolveRef(r, refs));
  }

  private resolveRef(r: Ref, refs: Ref[]): TableName {
    return r.bare === undefined ? r.name : (this.resolve(r.bare, refs) ?? r.name);
  }

  /** `q` as an alias or an unqualified table name among `refs`. */
  private resolve(q: string, refs: Ref[]): TableName | undefined {
    const lower = q.toLowerCase();
    const hit =
      refs.find((r) => r.alias?.toLowerCase() === lower) ??
      refs.find((r) => r.alias === undefined && r.bare?.toLowerCase() === lower);
    return hit?.name ?? refs.find((r) => r.name.table.toLowerCase() === lower)?.name;
  }
}
