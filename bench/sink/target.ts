import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mysqlOptionsFromUrl, qualified, quoteIdent } from '@sluice/core';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { AGGREGATE_SQL } from './rows.ts';

export type TargetKind = 'mariadb' | 'tidb' | 'mysql';

export interface BenchTarget {
  kind: TargetKind;
  url: string;
  version: string;
  /** The server's pid when the local stack runs it (for its CPU seconds), else undefined. */
  serverPid: number | undefined;
}

export const connect = (url: string): Promise<mysql.Connection> =>
  mysql.createConnection({ ...mysqlOptionsFromUrl(url), multipleStatements: false });

async function query<T extends RowDataPacket>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await connect(url);
  try {
    const [rows] = await conn.query<T[]>(sql, params);
    return rows;
  } finally {
    await conn.end();
  }
}

function stackPid(root: string, kind: TargetKind): number | undefined {
  const file = join(root, '.stack', kind === 'tidb' ? 'tidb' : 'target-mariadb', 'pid');
  if (kind === 'mysql' || !existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && existsSync(`/proc/${pid}`) ? pid : undefined;
}

/** What each target URL is, from the server's own VERSION() (TARGET_NAMES is only a hint). */
export async function probeTarget(root: string, url: string): Promise<BenchTarget> {
  const [row] = await query<RowDataPacket>(url, 'SELECT VERSION() AS v');
  const version = String(row?.v ?? '');
  const kind: TargetKind = /tidb/i.test(version) ? 'tidb' : /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  return { kind, url, version, serverPid: stackPid(root, kind) };
}

export interface TableAggregate {
  n: number;
  sa: string;
  sc: string;
  lb: number;
  md: string;
}

/** COUNT(*) and sums over every column: equal aggregates, same rows (see rows.ts). */
export async function aggregate(url: string, database: string, table: string): Promise<TableAggregate> {
  const [r] = await query<RowDataPacket>(url, AGGREGATE_SQL(qualified(database, table)));
  return { n: Number(r?.n ?? 0), sa: String(r?.sa), sc: String(r?.sc), lb: Number(r?.lb ?? 0), md: String(r?.md) };
}

export async function countRows(url: string, database: string, table: string): Promise<number> {
  const [r] = await query<RowDataPacket>(url, `SELECT COUNT(*) AS n FROM ${qualified(database, table)}`);
  return Number(r?.n ?? 0);
}

/** A fresh, empty table with the definition the sink created (then the sink's copy is dropped). */
export async function replaceWithEmptyCopy(url: string, database: string, from: string, to: string): Promise<string> {
  const conn = await connect(url);
  try {
    await conn.query(`CREATE TABLE ${qualified(database, to)} LIKE ${qualified(database, from)}`);
    const [rows] = await conn.query<RowDataPacket[]>(`SHOW CREATE TABLE ${qualified(database, to)}`);
    // Dropped so that the plain loop does not share the buffer pool / block cache with 1M cold rows.
    await conn.query(`DROP TABLE ${qualified(database, from)}`);
    return String(rows[0]?.['Create Table'] ?? '');
  } finally {
    await conn.end();
  }
}

export async function dropDatabase(url: string, database: string): Promise<void> {
  await query(url, `DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
}
