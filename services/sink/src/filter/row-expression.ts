import { SluiceError } from '@sluice/core';

/**
 * A small predicate language over one row's column values, for the sink's row filters
 * (`filters[].where`). Parsed once at start-up into a tree and evaluated in JavaScript: no text of
 * the config ever reaches a SQL statement.
 *
 *   expr    := or
 *   or      := and ('OR' and)*
 *   and     := not ('AND' not)*
 *   not     := 'NOT' not | compare
 *   compare := value (op value | 'IS' ['NOT'] 'NULL' | ['NOT'] 'IN' '(' value (',' value)* ')'
 *              | ['NOT'] 'LIKE' string)?
 *   value   := column | `quoted column` | number | 'string' | NULL | TRUE | FALSE | '(' expr ')'
 *   op      := = | != | <> | < | <= | > | >=
 *
 * SQL's three-valued logic: a comparison with NULL is unknown, NOT unknown is unknown, and a row
 * is kept only when the whole expression is true. Numbers compare as numbers (a decimal or big
 * integer column, which arrives as text, is compared exactly); text compares by code point;
 * binary values compare by bytes against a string's UTF-8 bytes.
 */
export type Value = string | number | Buffer | null;

/** A number written in the expression, kept as its text: compared exactly with decimal columns. */
class Num {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

type Operand = Value | boolean | Num;

type Node =
  | { t: 'col'; name: string }
  | { t: 'lit'; v: Operand }
  | { t: 'cmp'; op: string; a: Node; b: Node }
  | { t: 'null'; a: Node; not: boolean }
  | { t: 'in'; a: Node; list: Node[]; not: boolean }
  | { t: 'like'; a: Node; re: RegExp; not: boolean }
  | { t: 'and' | 'or'; a: Node; b: Node }
  | { t: 'not'; a: Node };

/** true, false or null (unknown). */
type Truth = boolean | null;

export interface RowExpression {
  readonly text: string;
  /** Column names the expression reads. */
  readonly columns: string[];
  /** Whether the row (a column value by name) satisfies the expression. */
  test(value: (column: string) => Value | undefined): boolean;
}

interface Token {
  k: 'id' | 'qid' | 'num' | 'str' | 'op' | 'punct' | 'end';
  v: string;
  at: number;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'LIKE', 'TRUE', 'FALSE']);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'") {
      let v = '';
      for (i++; ; i++) {
        if (i >= text.length) throw bad(text, at, 'unterminated string');
        if (text[i] === "'" && text[i + 1] === "'") {
          v += "'";
          i++;
        } else if (text[i] === "'") break;
        else v += text[i];
      }
      i++;
      out.push({ k: 'str', v, at });
    } else if (c === '`') {
      let v = '';
      for (i++; ; i++) {
        if (i >= text.length) throw bad(text, at, 'unterminated `quoted` column name');
        if (text[i] === '`' && text[i + 1] === '`') {
          v += '`';
          i++;
        } else if (text[i] === '`') break;
        else v += text[i];
      }
      i++;
      out.push({ k: 'qid', v, at });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9.]/.test(text[i + 1] ?? '') && prevIsOperand(out) === false)) {
      const m = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) throw bad(text, at, 'bad number');
      out.push({ k: 'num', v: m[0], at });
      i += m[0].length;
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(text.slice(i)) as RegExpExecArray;
      out.push({ k: 'id', v: m[0], at });
      i += m[0].length;
    } else {
      const op = ['<=', '>=', '<>', '!=', '=', '<', '>'].find((o) => text.startsWith(o, i));
      if (op) {
        out.push({ k: 'op', v: op, at });
        i += op.length;
      } else if ('(),'.includes(c)) {
        out.push({ k: 'punct', v: c, at });
        i++;
      } else throw bad(text, at, `unexpected ${JSON.stringify(c)}`);
    }
  }
  out.push({ k: 'end', v: '', at: text.length });
  return out;
}

/** A '-' right after an operand is subtraction (not supported), after an operator a sign. */
const prevIsOperand = (out: Token[]): boolean => {
  const p = out[out.length - 1];
  return (
    !!p && (p.k === 'num' || p.k === 'str' || p.k === 'qid' || (p.k === 'id' && !KEYWORDS.has(p.v.toUpperCase())) || p.v === ')')
  );
};

const bad = (text: string, at: number, what: string) =>
  new SluiceError('CONFIG_INVALID', `row filter ${JSON.stringify(text)}: ${what} at character ${at + 1}`);

class Parser {
  private i = 0;
  readonly columns = new Set<string>();
  private readonly text: string;
  private readonly toks: Token[];
  constructor(text: string, toks: Token[]) {
    this.text = text;
    this.toks = toks;
  }

  parse(): Node {
    const n = this.or();
    const t = this.peek();
    if (t.k !== 'end') throw bad(this.text, t.at, `unexpected ${JSON.stringify(t.v)}`);
    return n;
  }

  private peek(): Token {
    return this.toks[this.i] as Token;
  }
  private kw(word: string): boolean {
    const t = this.peek();
    if (t.k === 'id' && t.v.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }
  private punct(p: string): boolean {
    const t = this.peek();
    if (t.k === 'punct' && t.v === p) {
      this.i++;
      return true;
    }
    return false;
  }
  private expect(p: string): void {
    if (!this.punct(p)) throw bad(this.text, this.peek().at, `expected ${JSON.stringify(p)}`);
  }

  private or(): Node {
    let n = this.and();
    while (this.kw('OR')) n = { t: 'or', a: n, b: this.and() };
    return n;
  }
  private and(): Node {
    let n = this.not();
    while (this.kw('AND')) n = { t: 'and', a: n, b: this.not() };
    return n;
  }
  private not(): Node {
    if (this.kw('NOT')) return { t: 'not', a: this.not() };
    return this.compare();
  }
  private compare(): Node {
    const a = this.value();
    const t = this.peek();
    if (t.k === 'op') {
      this.i++;
      return { t: 'cmp', op: t.v === '<>' ? '!=' : t.v, a, b: this.value() };
    }
    if (this.kw('IS')) {
      const not = this.kw('NOT');
      if (!this.kw('NULL')) throw bad(this.text, this.peek().at, 'expected NULL after IS');
      return { t: 'null', a, not };
    }
    const save = this.i;
    const not = this.kw('NOT');
    if (this.kw('IN')) {
      this.expect('(');
      const list = [this.value()];
      while (this.punct(',')) list.push(this.value());
      this.expect(')');
      return { t: 'in', a, list, not };
    }
    if (this.kw('LIKE')) {
      const p = this.peek();
      if (p.k !== 'str') throw bad(this.text, p.at, 'LIKE takes a quoted pattern');
      this.i++;
      return { t: 'like', a, re: likeRegExp(p.v), not };
    }
    if (not) this.i = save;
    return a;
  }
  private value(): Node {
    const t = this.peek();
    this.i++;
    switch (t.k) {
      case 'num':
        return { t: 'lit', v: new Num(t.v) };
      case 'str':
        return { t: 'lit', v: t.v };
      case 'qid':
        this.columns.add(t.v);
        return { t: 'col', name: t.v };
      case 'id': {
        const u = t.v.toUpperCase();
        if (u === 'NULL') return { t: 'lit', v: null };
        if (u === 'TRUE' || u === 'FALSE') return { t: 'lit', v: u === 'TRUE' };
        if (KEYWORDS.has(u)) throw bad(this.text, t.at, `unexpected ${t.v}`);
        this.columns.add(t.v);
        return { t: 'col', name: t.v };
      }
      case 'punct':
        if (t.v === '(') {
          const n = this.or();
          this.expect(')');
          return n;
        }
        throw bad(this.text, t.at, `unexpected ${JSON.stringify(t.v)}`);
      default:
        throw bad(this.text, t.at, t.k === 'end' ? 'unexpected end' : `unexpected ${JSON.stringify(t.v)}`);
    }
  }
}

/** LIKE's % and _ (with \ escaping them) as an anchored regular expression. */
function likeRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i] as string);
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'u');
}
const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const NUMERIC = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;
const NUMERIC_OR_SCI = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** -1, 0, 1, or null when either side is NULL. Numbers (and numeric text against a number) by value. */
function compare(a: Operand, b: Operand): number | null {
  if (a === null || b === null) return null;
  const asNumber = (v: Operand) => (typeof v === 'boolean' ? Number(v) : v instanceof Num ? v.text : v);
  const x = asNumber(a);
  const y = asNumber(b);
  const isNum = (v: Operand) => typeof v === 'number' || typeof v === 'boolean' || v instanceof Num;
  const numeric = (v: Value) => typeof v === 'number' || (typeof v === 'string' && NUMERIC_OR_SCI.test(v));
  if ((isNum(a) || isNum(b)) && numeric(x) && numeric(y)) return decimalCompare(String(x), String(y));
  if (Buffer.isBuffer(x) || Buffer.isBuffer(y)) {
    const bx = Buffer.isBuffer(x) ? x : Buffer.from(String(x));
    const by = Buffer.isBuffer(y) ? y : Buffer.from(String(y));
    return Buffer.compare(bx, by);
  }
  const sx = String(x);
  const sy = String(y);
  return sx === sy ? 0 : sx < sy ? -1 : 1;
}

/** Exact comparison of two decimal texts (a DECIMAL(65,30) or a BIGINT UNSIGNED does not fit a double). */
export function decimalCompare(a: string, b: string): number {
  const norm = (s: string) => {
    const n = Number(s);
    if (!/^-?\d*\.?\d*$/.test(s)) return { neg: n < 0, int: '', frac: '', sci: n };
    const neg = s.startsWith('-');
    const [i = '', f = ''] = s.replace('-', '').split('.');
    return { neg, int: i.replace(/^0+/, ''), frac: f.replace(/0+$/, ''), sci: undefined as number | undefined };
  };
  const x = norm(a);
  const y = norm(b);
  if (x.sci !== undefined || y.sci !== undefined) return Math.sign(Number(a) - Number(b));
  const zero = (v: typeof x) => v.int === '' && v.frac === '';
  const sx = zero(x) ? 0 : x.neg ? -1 : 1;
  const sy = zero(y) ? 0 : y.neg ? -1 : 1;
  if (sx !== sy) return Math.sign(sx - sy);
  if (sx === 0) return 0;
  let m = 0;
  if (x.int.length !== y.int.length) m = x.int.length < y.int.length ? -1 : 1;
  else if (x.int !== y.int) m = x.int < y.int ? -1 : 1;
  else {
    const len = Math.max(x.frac.length, y.frac.length);
    const fx = x.frac.padEnd(len, '0');
    const fy = y.frac.padEnd(len, '0');
    m = fx === fy ? 0 : fx < fy ? -1 : 1;
  }
  return sx < 0 ? -m : m;
}

function evaluate(n: Node, get: (column: string) => Value | undefined): Operand {
  switch (n.t) {
    case 'col': {
      const v = get(n.name);
      if (v === undefined) throw new SluiceError('FILTER_COLUMN_MISSING', `the row has no column ${n.name}`);
      return v;
    }
    case 'lit':
      return n.v;
    default:
      return truth(n, get);
  }
}

function truth(n: Node, get: (column: string) => Value | undefined): Truth {
  switch (n.t) {
    case 'cmp': {
      const c = compare(evaluate(n.a, get), evaluate(n.b, get));
      if (c === null) return null;
      switch (n.op) {
        case '=':
          return c === 0;
        case '!=':
          return c !== 0;
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        default:
          return c >= 0;
      }
    }
    case 'null': {
      const isNull = evaluate(n.a, get) === null;
      return n.not ? !isNull : isNull;
    }
    case 'in': {
      const v = evaluate(n.a, get);
      if (v === null) return null;
      let unknown = false;
      for (const item of n.list) {
        const c = compare(v, evaluate(item, get));
        if (c === 0) return !n.not;
        if (c === null) unknown = true;
      }
      return unknown ? null : n.not;
    }
    case 'like': {
      const v = evaluate(n.a, get);
      if (v === null) return null;
      const hit = n.re.test(Buffer.isBuffer(v) ? v.toString('utf8') : v instanceof Num ? v.text : String(v));
      return n.not ? !hit : hit;
    }
    case 'and': {
      const a = truth(n.a, get);
      if (a === false) return false;
      const b = truth(n.b, get);
      if (b === false) return false;
      return a === null || b === null ? null : true;
    }
    case 'or': {
      const a = truth(n.a, get);
      if (a === true) return true;
      const b = truth(n.b, get);
      if (b === true) return true;
      return a === null || b === null ? null : false;
    }
    case 'not': {
      const a = truth(n.a, get);
      return a === null ? null : !a;
    }
    default: {
      // A bare value used as a condition: TRUE/FALSE, or a column (non-zero number is true, as in SQL).
      const v = evaluate(n, get);
      if (v === null) return null;
      if (typeof v === 'boolean') return v;
      if (v instanceof Num) return decimalCompare(v.text, '0') !== 0;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string' && NUMERIC.test(v)) return decimalCompare(v, '0') !== 0;
      throw new SluiceError('CONFIG_INVALID', `row filter: ${JSON.stringify(v)} is not a condition`);
    }
  }
}

/** Parses a row filter; a syntax error is CONFIG_INVALID naming the character. */
export function parseRowExpression(text: string): RowExpression {
  const parser = new Parser(text, tokenize(text));
  const tree = parser.parse();
  if (tree.t === 'lit' && typeof tree.v !== 'boolean') {
    throw bad(text, 0, 'not a condition (compare a column, for example `status = 1`)');
  }
  return {
    text,
    columns: [...parser.columns],
    test: (get) => truth(tree, get) === true,
  };
}
