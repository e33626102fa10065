import { qualified, quoteIdent } from '@sluice/core';
import { rowText } from './rows.ts';
import { connect } from './target.ts';

export type PlainProtocol = 'binary' | 'text';

const COLUMNS = ['id', 'a', 'b', 'c', 'd'];

/** The statement a hand-written loader would send: multi-row INSERT ... ON DUPLICATE KEY UPDATE. */
export function plainUpsertSql(database: string, table: string, rows: number): string {
  const tuple = `(${COLUMNS.map(() => '?').join(', ')})`;
  const updates = COLUMNS.slice(1).map((c) => `${quoteIdent(c)} = VALUES(${quoteIdent(c)})`);
  return `INSERT INTO ${qualified(database, table)} (${COLUMNS.map(quoteIdent).join(', ')}) VALUES ${Array(rows).fill(tuple).join(', ')} ON DUPLICATE KEY UPDATE ${updates.join(', ')}`;
}

/**
 * The reference rate: rows 1..rows upserted in `batch`-row statements, one statement per
 * (autocommit) transaction, on one connection, binding the same string values the sink binds.
 * `binary` uses server-side prepared statements (execute) as the sink does; `text` lets the
 * driver inline the values (query). The next statement's values are built while the server works
 * on the current one, so the figure is the target's, not this loop's.
 */
export async function plainUpserts(opts: {
  url: string;
  database: string;
  table: string;
  rows: number;
  batch: number;
  protocol: PlainProtocol;
}): Promise<{ seconds: number; statements: number }> {
  const conn = await connect(opts.url);
  try {
    const build = (first: number): string[] => {
      const params: string[] = [];
      for (let id = first; id < first + opts.batch && id <= opts.rows; id++) params.push(...rowText(id));
      return params;
    };
    const sqlFor = new Map<number, string>();
    const send = (params: string[]) => {
      const n = params.length / COLUMNS.length;
      let sql = sqlFor.get(n);
      if (!sql) {
        sql = plainUpsertSql(opts.database, opts.table, n);
        sqlFor.set(n, sql);
      }
      return opts.protocol === 'binary' ? conn.execute(sql, params) : conn.query(sql, params);
    };
    const t0 = performance.now();
    let statements = 0;
    let next = build(1);
    for (let first = 1; first <= opts.rows; first += opts.batch) {
      const pending = send(next);
      statements++;
      next = first + opts.batch <= opts.rows ? build(first + opts.batch) : [];
      await pending;
    }
    return { seconds: (performance.now() - t0) / 1000, statements };
  } finally {
    await conn.end();
  }
}
