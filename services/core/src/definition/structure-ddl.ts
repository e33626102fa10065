import { SluiceError } from '../errors.ts';
import { qualified, quoteIdent } from '../mysql/connection-options.ts';
import { isSingleClause } from './partitioning.ts';
import type { StructureDiff } from './structure-diff.ts';
import type { IndexDef, TableOptions } from './table-definition.ts';

/** A string literal that reads back as `s` under the default sql_mode of MySQL, MariaDB and TiDB. */
export const sqlLiteral = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\0/g, '\\0')}'`;

const NAME = /^[A-Za-z0-9_]+$/;

const KEYWORD: Record<IndexDef['kind'], string> = {
  primary: 'PRIMARY KEY',
  unique: 'UNIQUE KEY',
  index: 'KEY',
  fulltext: 'FULLTEXT KEY',
  spatial: 'SPATIAL KEY',
};

/** An index as CREATE TABLE and ALTER TABLE ... ADD take it: `UNIQUE KEY `u` (`a`(10), `b` DESC) COMMENT '...'`. */
export function indexSql(i: IndexDef): string {
  const parts = i.parts.map((p) => {
    if (p.expression !== undefined) throw new SluiceError('TYPE_UNSUPPORTED', `functional index ${i.name} is not copied`);
    if (p.length !== undefined && !(Number.isInteger(p.length) && p.length > 0)) {
      throw new SluiceError('TYPE_UNSUPPORTED', `refusing prefix length ${JSON.stringify(p.length)} in index ${i.name}`);
    }
    return `${quoteIdent(p.column)}${p.length ? `(${p.length})` : ''}${p.desc ? ' DESC' : ''}`;
  });
  const name = i.kind === 'primary' ? '' : ` ${quoteIdent(i.name)}`;
  return `${KEYWORD[i.kind]}${name} (${parts.join(', ')})${i.comment ? ` COMMENT ${sqlLiteral(i.comment)}` : ''}`;
}

/** Table options as CREATE TABLE and ALTER TABLE take them (charset names must be plain names). */
export function tableOptionsSql(o: TableOptions): string[] {
  const out: string[] = [];
  if (o.charset && NAME.test(o.charset)) {
    out.push(`DEFAULT CHARACTER SET = ${o.charset}`);
    if (o.collation && NAME.test(o.collation)) out.push(`COLLATE = ${o.collation}`);
  }
  if (o.comment !== undefined) out.push(`COMMENT = ${sqlLiteral(o.comment)}`);
  return out;
}

/** The partitioning clause, checked to be one clause (it came from the registry). */
export function partitioningSql(clause: string): string {
  if (!isSingleClause(clause))
    throw new SluiceError('TYPE_UNSUPPORTED', `refusing partitioning clause ${JSON.stringify(clause)}`);
  return clause;
}

/**
 * The ALTER statements of a structure diff. Renames, drops, adds and options go in one ALTER,
 * so that an index whose columns change is dropped and added at once; `separate` (TiDB, which
 * refuses to drop and add one index in one statement) makes each clause its own ALTER. The
 * partitioning is its own ALTER, as MySQL wants it.
 */
export function structureStatements(
  t: { database: string; table: string },
  d: StructureDiff,
  opts: { separate?: boolean } = {},
): string[] {
  const table = `ALTER TABLE ${qualified(t.database, t.table)}`;
  const clauses = [
    ...d.renameIndexes.map((r) => `RENAME INDEX ${quoteIdent(r.from)} TO ${quoteIdent(r.to)}`),
    ...d.dropIndexes.map((i) => (i.kind === 'primary' ? 'DROP PRIMARY KEY' : `DROP INDEX ${quoteIdent(i.name)}`)),
    ...d.addIndexes.map((i) => `ADD ${indexSql(i)}`),
  ];
  const options = d.options ? tableOptionsSql(d.options) : [];
  const out: string[] = [];
  if (opts.separate) {
    out.push(...clauses.map((c) => `${table} ${c}`));
    if (options.length) out.push(`${table} ${options.join(' ')}`);
  } else if (clauses.length || options.length) {
    out.push(`${table} ${[...clauses, ...(options.length ? [options.join(' ')] : [])].join(', ')}`);
  }
  if (d.partitioning === null) out.push(`${table} REMOVE PARTITIONING`);
  else if (d.partitioning !== undefined) out.push(`${table} ${partitioningSql(d.partitioning)}`);
  return out;
}
