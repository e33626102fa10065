import { quoteIdent } from '../mysql/connection-options.ts';
import { isOneSqlPiece } from '../sql/sql-piece.ts';
import { isPunct, isWord, type SqlToken, sqlTokens } from '../sql/sql-tokens.ts';

/**
 * Which rows a source partition held, as a WHERE condition, computed from the source's
 * partitioning clause (`sluice.partitioning`, SHOW CREATE TABLE): so that TRUNCATE / DROP
 * PARTITION (and the rows EXCHANGE or CONVERT PARTITION move) can be applied to a target table
 * that is not partitioned the same way, by deleting (or moving) exactly those rows.
 *
 * As MySQL and MariaDB place rows:
 * - RANGE (expr): below the partition's bound and not below the previous one's; NULL sorts below
 *   every value (the first partition). RANGE COLUMNS compares the column tuple lexicographically,
 *   MAXVALUE above everything.
 * - LIST (expr) / LIST COLUMNS: one of the values (NULL only where the list has NULL).
 * - HASH (expr): partition `i` of `n` holds `ABS(MOD(expr, n)) = i` (the server takes the
 *   remainder's absolute value for negative values); NULL is hashed as -2^63 (checked on MariaDB
 *   10.11 and MySQL 8.0: with 3 partitions it lands in p2, not p0).
 * - LINEAR HASH, KEY, LINEAR KEY and subpartitions are refused (the server's hash functions are
 *   not SQL); so is a bound that is not a literal. Never approximately.
 *
 * Values are parameters; the expression is the source's own text, checked to be one SQL piece.
 */
export interface RowsCondition {
  sql: string;
  params: (string | number | null)[];
}

/** The clause cannot be turned into an exact condition: `message` says why. */
export class PartitionRowsRefused extends Error {}

type Value = { kind: 'null' } | { kind: 'max' } | { kind: 'number'; text: string } | { kind: 'string'; value: string };

interface Def {
  name: string;
  /** Where its text is in the clause (none for HASH's implicit p0 ..). */
  span?: [number, number];
  /** RANGE: the bound tuple (one value for RANGE (expr)); LIST: the value tuples. */
  less?: Value[];
  in?: Value[][];
}

interface Clause {
  method: 'RANGE' | 'LIST' | 'HASH';
  /** The expression's SQL text (RANGE, LIST, HASH), or the quoted column list (COLUMNS). */
  expr?: string;
  columns?: string[];
  count?: number;
  defs: Def[];
  /** The definition list's parentheses in the clause, when it has one. */
  list?: [number, number];
}

const refuse = (why: string): never => {
  throw new PartitionRowsRefused(why);
};

export function parsePartitioning(clause: string): Clause {
  const t = sqlTokens(clause);
  let i = 0;
  const expectWord = (...w: string[]) => {
    if (!isWord(t[i], ...w)) refuse(`unexpected text in the partitioning clause near ${tokenText(clause, t[i])}`);
    return (t[i++] as Extract<SqlToken, { kind: 'word' }>).upper;
  };
  expectWord('PARTITION');
  expectWord('BY');
  if (isWord(t[i], 'LINEAR', 'KEY'))
    refuse(`${(t[i] as { text: string }).text.toUpperCase()} partitioning is placed by the server's own hash`);
  const method = expectWord('RANGE', 'LIST', 'HASH') as Clause['method'];
  const columns = isWord(t[i], 'COLUMNS') ? ([] as string[]) : undefined;
  if (columns) i++;
  if (!isPunct(t[i], '(')) refuse('no partitioning expression');
  const close = matching(t, i);
  if (columns) {
    for (const x of t.slice(i + 1, close)) {
      if (x.kind === 'name' || x.kind === 'word') columns.push(x.text);
      else if (!isPunct(x, ',')) refuse('a COLUMNS list that is not plain column names');
    }
  }
  const expr = columns ? undefined : clause.slice((t[i] as SqlToken).end, (t[close] as SqlToken).start).trim();
  if (expr !== undefined && !isOneSqlPiece(expr)) refuse('the partitioning expression is not one SQL piece');
  i = close + 1;
  let count: number | undefined;
  if (isWord(t[i], 'PARTITIONS')) {
    count = Number((t[i + 1] as { text?: string })?.text);
    if (!Number.isInteger(count) || count < 1) refuse('PARTITIONS is not a number');
    i += 2;
  }
  if (isWord(t[i], 'SUBPARTITION')) refuse('subpartitioned tables are placed by the subpartitions too');
  const defs: Def[] = [];
  let list: [number, number] | undefined;
  if (isPunct(t[i], '(')) {
    const end = matching(t, i);
    list = [(t[i] as SqlToken).start, (t[end] as SqlToken).start];
    i++;
    while (i < end) {
      const stop = nextComma(t, i, end);
      const def = partitionDef(clause, t.slice(i, stop), method);
      defs.push({ ...def, span: [(t[i] as SqlToken).start, (t[stop - 1] as SqlToken).end] });
      i = stop + 1;
    }
    i = end + 1;
  }
  if (i < t.length) refuse(`unexpected text in the partitioning clause near ${tokenText(clause, t[i])}`);
  if (method === 'HASH' && defs.length === 0) {
    // `PARTITIONS n` without definitions: the server names them p0 .. p(n-1).
    for (let k = 0; k < (count ?? 1); k++) defs.push({ name: `p${k}` });
  }
  return {
    method,
    ...(columns ? { columns } : { expr }),
    ...(count ? { count } : {}),
    defs,
    ...(list ? { list } : {}),
  } as Clause;
}

function partitionDef(clause: string, t: SqlToken[], method: Clause['method']): Def {
  if (!isWord(t[0], 'PARTITION') || !(t[1]?.kind === 'name' || t[1]?.kind === 'word'))
    refuse('a partition definition without a name');
  const name = (t[1] as { text: string }).text;
  if (t.some((x) => isWord(x, 'SUBPARTITION'))) refuse('subpartitioned tables are placed by the subpartitions too');
  let i = 2;
  if (method === 'HASH') return { name };
  if (!isWord(t[i], 'VALUES')) refuse(`partition ${name} has no VALUES`);
  i++;
  if (method === 'RANGE') {
    if (!isWord(t[i], 'LESS') || !isWord(t[i + 1], 'THAN')) refuse(`partition ${name} has no LESS THAN`);
    i += 2;
    if (isWord(t[i], 'MAXVALUE')) return { name, less: [{ kind: 'max' }] };
    if (!isPunct(t[i], '(')) refuse(`partition ${name}: a bound that is not a literal`);
    return { name, less: values(clause, t.slice(i + 1, matching(t, i))) };
  }
  if (!isWord(t[i], 'IN') || !isPunct(t[i + 1], '(')) refuse(`partition ${name} has no VALUES IN`);
  const list = t.slice(i + 2, matching(t, i + 1));
  const tuples: Value[][] = [];
  for (let k = 0; k < list.length; ) {
    const stop = nextComma(list, k, list.length);
    const item = list.slice(k, stop);
    tuples.push(isPunct(item[0], '(') ? values(clause, item.slice(1, -1)) : values(clause, item));
    k = stop + 1;
  }
  return { name, in: tuples };
}

/** Comma-separated literals. */
function values(clause: string, t: SqlToken[]): Value[] {
  const out: Value[] = [];
  for (let k = 0; k < t.length; ) {
    const stop = nextComma(t, k, t.length);
    out.push(literal(clause, t.slice(k, stop)));
    k = stop + 1;
  }
  return out;
}

function literal(clause: string, t: SqlToken[]): Value {
  const text = t.map((x) => clause.slice(x.start, x.end)).join('');
  const one = t[0];
  if (t.length === 1 && isWord(one, 'NULL')) return { kind: 'null' };
  if (t.length === 1 && isWord(one, 'MAXVALUE')) return { kind: 'max' };
  if (t.length === 1 && one?.kind === 'string' && one.open === one.start) {
    return { kind: 'string', value: unquoteString(clause.slice(one.open, one.end)) };
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: 'number', text };
  return refuse(`a partition value that is not a literal: ${text}`);
}

function unquoteString(s: string): string {
  const q = s[0] as string;
  const body = s.slice(1, -1);
  const esc: Record<string, string> = { '0': '\0', n: '\n', r: '\r', t: '\t', b: '\b', Z: '\x1a' };
  return body.replace(new RegExp(`\\\\(.)|${q}${q}`, 'gs'), (m, c: string | undefined) =>
    c === undefined ? q : (esc[c] ?? (c === '%' || c === '_' ? m : c)),
  );
}

function matching(t: SqlToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < t.length; k++) {
    if (isPunct(t[k], '(')) depth++;
    else if (isPunct(t[k], ')') && --depth === 0) return k;
  }
  return refuse('unbalanced parentheses in the partitioning clause');
}

function nextComma(t: SqlToken[], from: number, end: number): number {
  let depth = 0;
  for (let k = from; k < end; k++) {
    if (isPunct(t[k], '(')) depth++;
    else if (isPunct(t[k], ')')) depth--;
    else if (depth === 0 && isPunct(t[k], ',')) return k;
  }
  return end;
}

const tokenText = (clause: string, x: SqlToken | undefined) => (x ? clause.slice(x.start, x.end) : 'the end');

/** The condition for rows of the named partitions (matched case-insensitively, as the server does). */
export function partitionRows(clause: string, partitions: string[]): RowsCondition {
  const c = parsePartitioning(clause);
  const parts: RowsCondition[] = partitions.map((p) => {
    const at = c.defs.findIndex((d) => d.name.toLowerCase() === p.toLowerCase());
    if (at < 0) refuse(`the source's partitioning has no partition ${p}`);
    return one(c, at);
  });
  return { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => p.params) };
}

function one(c: Clause, at: number): RowsCondition {
  const def = c.defs[at] as Def;
  const cols = c.columns?.map(quoteIdent) ?? [`(${c.expr})`];
  if (c.method === 'HASH') {
    const n = c.defs.length;
    // The server hashes NULL as the smallest BIGINT (-2^63), not 0.
    const nullAt = Number(2n ** 63n % BigInt(n));
    return { sql: `(CASE WHEN ${cols[0]} IS NULL THEN ? ELSE ABS(MOD(${cols[0]}, ?)) END) = ?`, params: [nullAt, n, at] };
  }
  if (c.method === 'LIST') {
    const tuples = def.in ?? [];
    if (tuples.some((v) => v.length !== cols.length)) refuse(`partition ${def.name}: values do not match the columns`);
    if (tuples.length === 0) return { sql: 'FALSE', params: [] };
    const params: RowsCondition['params'] = [];
    const sql = tuples
      .map((tuple) => tuple.map((v, k) => equal(cols[k] as string, v, params)).join(' AND '))
      .map((s) => `(${s})`)
      .join(' OR ');
    return { sql, params };
  }
  const upper = def.less ?? [];
  if (upper.length !== cols.length) refuse(`partition ${def.name}: the bound does not match the columns`);
  const params: RowsCondition['params'] = [];
  const below = less(cols, upper, params);
  const prev = at > 0 ? c.defs[at - 1]?.less : undefined;
  if (!prev) return { sql: below, params };
  return { sql: `${below} AND NOT ${less(cols, prev, params)}`, params };
}

/** `col <=> value` (NULL matches NULL, as in a LIST). */
function equal(col: string, v: Value, params: RowsCondition['params']): string {
  if (v.kind === 'null') return `${col} IS NULL`;
  if (v.kind === 'max') return refuse('MAXVALUE in a list');
  return `${col} = ${param(v, params)}`;
}

/**
 * The tuple `cols` sorts below `bound`, as partitioning compares: lexicographically, NULL below
 * every value, MAXVALUE above every value. Never NULL itself (so NOT of it is exact).
 */
function less(cols: string[], bound: Value[], params: RowsCondition['params']): string {
  const ors: string[] = [];
  for (let k = 0; k < cols.length; k++) {
    const v = bound[k] as Value;
    const col = cols[k] as string;
    const eqs: string[] = [];
    for (let j = 0; j < k; j++) eqs.push(`${cols[j]} <=> ${param(bound[j] as Value, params)}`);
    const lt = v.kind === 'max' ? 'TRUE' : `(${col} IS NULL OR ${col} < ${param(v, params)})`;
    ors.push([...eqs, lt].join(' AND '));
    if (v.kind === 'max') break; // nothing sorts above MAXVALUE: later parts never decide
  }
  return `(${ors.map((s) => `(${s})`).join(' OR ')})`;
}

function param(v: Value, params: RowsCondition['params']): string {
  if (v.kind === 'null' || v.kind === 'max') return refuse('NULL or MAXVALUE where a value is compared');
  if (v.kind === 'string') {
    params.push(v.value);
    return '?';
  }
  const n = Number(v.text);
  if (Number.isSafeInteger(n)) {
    params.push(n);
    return '?';
  }
  // Decimals and integers beyond 2^53 compare exactly as DECIMAL, not as a double.
  params.push(v.text);
  return 'CAST(? AS DECIMAL(65,30))';
}

/** The partitions a clause defines (HASH's implicit ones too), or undefined where it cannot tell (KEY, LINEAR). */
export function partitionNames(clause: string): string[] | undefined {
  try {
    return parsePartitioning(clause).defs.map((d) => d.name);
  } catch (err) {
    if (err instanceof PartitionRowsRefused) return undefined;
    throw err;
  }
}

/**
 * The clause after DROP PARTITION (or CONVERT PARTITION ... TO TABLE) of `names`, or after
 * CONVERT TABLE ... TO PARTITION adds `add` (`PARTITION p VALUES ...`): so that the capture can
 * follow a table's partitions statement by statement, where a definition read from the catalog
 * may be a later one. Undefined where it cannot tell (then the catalog's stands).
 */
export function partitioningAfter(clause: string, change: { drop?: string[]; add?: string }): string | undefined {
  let c: Clause;
  try {
    c = parsePartitioning(clause);
  } catch (err) {
    if (err instanceof PartitionRowsRefused) return undefined;
    throw err;
  }
  if (!c.list || c.defs.some((d) => !d.span)) return undefined;
  const drop = new Set((change.drop ?? []).map((n) => n.toLowerCase()));
  if ([...drop].some((n) => !c.defs.some((d) => d.name.toLowerCase() === n))) return undefined;
  const kept = c.defs.filter((d) => !drop.has(d.name.toLowerCase())).map((d) => clause.slice(...(d.span as [number, number])));
  if (change.add) {
    if (!isOneSqlPiece(change.add)) return undefined;
    kept.push(change.add);
  }
  if (kept.length === 0) return undefined;
  return `${clause.slice(0, c.list[0])}(${kept.join(',\n ')})${clause.slice(c.list[1] + 1)}`;
}
