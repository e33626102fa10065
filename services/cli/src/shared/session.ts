import { ALLOW_ZERO_DATES_SQL, type ErrorCode, mysqlOptionsFromUrl, redactUrl, SluiceError, tlsFailure } from '@sluice/core';
import { isMissingTable } from '@sluice/sink/src/apply/ddl-decisions.ts';
import mysql from 'mysql2/promise';
import { mysqlConnection } from './connections.ts';

export type Flavor = 'mariadb' | 'mysql' | 'tidb';

/**
 * One connection to a source or target, set up so that values print the same on every server:
 * session zone UTC (TIMESTAMP), exact numbers and dates as strings. `role` picks the error code
 * a failure is reported with.
 */
export class Session {
  readonly flavor: Flavor;
  readonly version: string;
  readonly role: 'source' | 'target';
  readonly url: string;
  private readonly conn: mysql.Connection;

  private constructor(conn: mysql.Connection, role: 'source' | 'target', url: string, version: string) {
    this.conn = conn;
    this.role = role;
    this.url = url;
    this.version = version;
    this.flavor = /tidb/i.test(version) ? 'tidb' : /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  }

  static async open(url: string, role: 'source' | 'target'): Promise<Session> {
    const code: ErrorCode = role === 'source' ? 'SOURCE_UNREACHABLE' : 'TARGET_UNAVAILABLE';
    let conn: mysql.Connection;
    try {
      conn = await mysql.createConnection({
        ...mysqlOptionsFromUrl(mysqlConnection(url)),
        multipleStatements: false,
        connectTimeout: 10_000,
      });
    } catch (cause) {
      const tls = tlsFailure(cause, `the ${role} ${redactUrl(url)}`, `${role}.tls`);
      if (tls) throw tls;
      throw new SluiceError(code, `cannot connect to the ${role} ${redactUrl(url)}: ${(cause as Error).message}`, { cause });
    }
    await conn.query("SET time_zone = '+00:00'");
    await conn.query(ALLOW_ZERO_DATES_SQL);
    const [rows] = await conn.query({ sql: 'SELECT VERSION()', rowsAsArray: true });
    return new Session(conn, role, url, String((rows as unknown[][])[0]?.[0] ?? ''));
  }

  /** Rows as arrays, in select-list order. */
  async rows(sql: string, params: unknown[] = []): Promise<unknown[][]> {
    try {
      const [rows] = await this.conn.query({ sql, values: params, rowsAsArray: true });
      return rows as unknown[][];
    } catch (cause) {
      throw this.wrap(cause, sql);
    }
  }

  /** Rows as objects by column name. */
  async objects<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      const [rows] = await this.conn.query({ sql, values: params });
      return rows as T[];
    } catch (cause) {
      throw this.wrap(cause, sql);
    }
  }

  /** A server-side prepared statement: values travel as parameters, never inside the SQL text. */
  async execute(sql: string, params: unknown[]): Promise<number> {
    try {
      const [res] = await this.conn.execute(sql, params as never[]);
      return (res as { affectedRows?: number }).affectedRows ?? 0;
    } catch (cause) {
      throw this.wrap(cause, sql);
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.conn.beginTransaction();
    try {
      const out = await work();
      await this.conn.commit();
      return out;
    } catch (err) {
      await this.conn.rollback().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => undefined);
  }

  private wrap(cause: unknown, sql: string): SluiceError {
    const e = cause as { code?: string; errno?: number; message?: string };
    const lost = !e.errno || e.code === 'PROTOCOL_CONNECTION_LOST' || e.code === 'ECONNRESET';
    const unreachable: ErrorCode = this.role === 'source' ? 'SOURCE_UNREACHABLE' : 'TARGET_UNAVAILABLE';
    const code: ErrorCode = lost ? unreachable : 'QUERY_FAILED';
    return new SluiceError(
      code,
      `${this.role} ${redactUrl(this.url)}: ${e.message ?? cause} (in: ${sql.slice(0, 160)}${sql.length > 160 ? '…' : ''})`,
      {
        cause,
      },
    );
  }
}

/**
 * Rows of a sluice side table (stops, verify_results, ...) that may not exist yet: none then.
 * `isMissingTable` is the sink's own test (no table, or not even its schema).
 */
export async function rowsIfTable(s: Session, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  try {
    return await s.rows(sql, params);
  } catch (err) {
    if (isMissingTable((err as SluiceError).cause ?? err)) return [];
    throw err;
  }
}

/** A TIMESTAMP(3) column as ISO 8601 text with milliseconds (the session runs in UTC). */
export const isoMillis = (column: string): string => `CONCAT(LEFT(DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.%f'), 23), 'Z')`;
