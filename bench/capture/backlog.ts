import { BinlogPosition, mysqlOptionsFromUrl, quoteIdent } from '@sluice/core';
import mysql from 'mysql2/promise';

export interface Backlog {
  database: string;
  table: string;
  rows: number;
  start: BinlogPosition;
  end: BinlogPosition;
  seconds: number;
}

export const BENCH_TABLE = 'events';

const connect = (url: string) => mysql.createConnection({ ...mysqlOptionsFromUrl(url), multipleStatements: false });

export async function masterPosition(conn: mysql.Connection): Promise<BinlogPosition> {
  const [rows] = await conn.query('SHOW MASTER STATUS');
  const r = (rows as { File: string; Position: number | string }[])[0];
  if (!r) throw new Error('SHOW MASTER STATUS returned nothing: is the binlog enabled on the source?');
  return new BinlogPosition(r.File, Number(r.Position));
}

/** Row `id` of the backlog: every column type of the issue, values varying in size like real data. */
function row(id: number): [number, number, string, string, string] {
  const d = new Date(Date.UTC(2024, 0, 1) + id * 1_003).toISOString().replace('T', ' ').replace('Z', '');
  return [
    id,
    (id * 7_919) % 2_000_000_000,
    `row ${id} ${'abcdefghij'.repeat(1 + (id % 5))}`.slice(0, 64),
    `${id % 10_000_000}.${String(id % 100).padStart(2, '0')}`,
    `${d}${String(id % 1000).padStart(3, '0')}`,
  ];
}

/**
 * Writes `rows` inserts as multi-row INSERTs of `batch` rows, one autocommit transaction each, and
 * returns the binlog positions around them. Two connections write in parallel so that the client's
 * statement building overlaps the server's work (the order of transactions does not matter here).
 */
export async function writeBacklog(opts: { url: string; database: string; rows: number; batch: number }): Promise<Backlog> {
  const db = quoteIdent(opts.database);
  const admin = await connect(opts.url);
  try {
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.query(
      `CREATE TABLE ${db}.${quoteIdent(BENCH_TABLE)} (id BIGINT PRIMARY KEY, a INT, b VARCHAR(64), c DECIMAL(12,2), d DATETIME(6))`,
    );
    const start = await masterPosition(admin);
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      const conn = await connect(opts.url);
      try {
        for (;;) {
          const first = next;
          if (first >= opts.rows) return;
          next += opts.batch;
          const values = [];
          for (let id = first + 1; id <= Math.min(first + opts.batch, opts.rows); id++) values.push(row(id));
          await conn.query(`INSERT INTO ${db}.${quoteIdent(BENCH_TABLE)} VALUES ?`, [values]);
        }
      } finally {
        await conn.end();
      }
    };
    await Promise.all([worker(), worker()]);
    const seconds = (performance.now() - t0) / 1000;
    const end = await masterPosition(admin);
    return { database: opts.database, table: BENCH_TABLE, rows: opts.rows, start, end, seconds };
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(url: string, database: string): Promise<void> {
  const conn = await connect(url);
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
  } finally {
    await conn.end();
  }
}
