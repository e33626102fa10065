import { type MysqlEndpoint, mysqlOptionsFromUrl, SluiceError, type Tso } from '@sluice/core';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { StaleStatement } from './stale-sql.ts';

/** Reads at a TiDB read point (what the query capture's cycle logic needs; a fake in unit tests). */
export interface StaleReads {
  rows(at: Tso, stmt: StaleStatement): Promise<Record<string, unknown>[]>;
}

interface Pinned {
  conn: Connection;
  at: Tso | undefined;
}

/**
 * Two connections, each in a read-only transaction at a read point (`START TRANSACTION READ ONLY
 * AS OF TIMESTAMP`): the previous cycle's and this one's. Statements stay free of the read point
 * (TiDB takes no parameter in `AS OF`), so they are prepared once and reused; reads at the two
 * points run side by side; and the information_schema a transaction sees is the one of its read
 * point (the table's layout then). An open transaction also keeps TiDB's GC off its read point.
 * Values come as the snapshot reads them (binary protocol, exact strings; connection-options.ts).
 */
export class ReadPoints implements StaleReads {
  private readonly pinned: Pinned[];

  private constructor(pinned: Pinned[]) {
    this.pinned = pinned;
  }

  static async open(source: MysqlEndpoint): Promise<ReadPoints> {
    const conns: Connection[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const conn = await mysql.createConnection({ ...mysqlOptionsFromUrl(source), maxPreparedStatements: 256 });
        conns.push(conn);
        await conn.query("SET SESSION time_zone = '+00:00'");
      }
      return new ReadPoints(conns.map((conn) => ({ conn, at: undefined })));
    } catch (err) {
      for (const c of conns) await c.end().catch(() => undefined);
      throw err;
    }
  }

  /** Makes reads at these points possible (at most two), moving a connection no longer needed. */
  async pin(points: Tso[]): Promise<void> {
    const wanted = points.filter((p, i) => points.findIndex((q) => q.compare(p) === 0) === i);
    const free = this.pinned.filter((p) => !wanted.some((w) => p.at && p.at.compare(w) === 0));
    for (const w of wanted) {
      if (this.pinned.some((p) => p.at && p.at.compare(w) === 0)) continue;
      const p = free.shift();
      if (!p) throw new Error('more than two read points');
      p.at = undefined;
      await p.conn.query('ROLLBACK');
      await p.conn.query('START TRANSACTION READ ONLY AS OF TIMESTAMP ?', [w.utcLiteral()]).catch((err: unknown) => {
        throw staleReadError(err, w);
      });
      p.at = w;
    }
  }

  async rows(at: Tso, stmt: StaleStatement): Promise<Record<string, unknown>[]> {
    const [rows] = await this.at(at).execute<RowDataPacket[]>(stmt.sql, stmt.params as never[]);
    return rows as Record<string, unknown>[];
  }

  /** The table's column names at a read point, in order; undefined when it did not exist then. */
  async columnsAt(at: Tso, database: string, table: string): Promise<string[] | undefined> {
    const [rows] = await this.at(at).query<RowDataPacket[]>(
      'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [database, table],
    );
    return rows.length ? rows.map((r) => String(r.c)) : undefined;
  }

  /** Base tables at a read point. */
  async tablesAt(at: Tso): Promise<{ database: string; table: string }[]> {
    const [rows] = await this.at(at).query<RowDataPacket[]>(
      "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'",
    );
    return rows.map((r) => ({ database: String(r.db), table: String(r.t) }));
  }

  private at(at: Tso): Connection {
    const p = this.pinned.find((x) => x.at && x.at.compare(at) === 0);
    if (!p) throw new Error(`no read transaction at ${at}`);
    return p.conn;
  }

  async close(): Promise<void> {
    for (const p of this.pinned) await p.conn.end().catch(() => undefined);
  }
}

/** A read point older than TiDB keeps history for: named, with the setting to change. */
export function staleReadError(err: unknown, at: Tso): unknown {
  const msg = String((err as Error)?.message ?? err);
  // 9006: GC life time is shorter than transaction duration; the message forms differ between versions.
  if ((err as { errno?: number }).errno === 9006 || /GC life time is shorter|safe ?point|older than GC/i.test(msg)) {
    return new SluiceError(
      'SOURCE_TSO_GC',
      `TiDB no longer keeps the history at read point ${at} (${new Date(at.physicalMs).toISOString()}): ${msg}. The capture was stopped for longer than tidb_gc_life_time; raise it (SET GLOBAL tidb_gc_life_time = '1h') or take a new snapshot (snapshot.mode when_needed)`,
      { cause: err },
    );
  }
  return err;
}
