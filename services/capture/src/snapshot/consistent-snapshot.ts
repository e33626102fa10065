import { BinlogPosition, type ColumnDef, qualified, quoteIdent, SluiceError, type SqlParam, type Tso } from '@sluice/core';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { currentPosition, mariadbGtidAt } from '../source/current-position.ts';
import type { Flavor } from '../source/source-checks.ts';
import { paddedCount, presentKeysSql } from './gone-keys.ts';

/**
 * A read-only REPEATABLE READ transaction on the source and the binlog position it corresponds
 * to: every row read through it is the state at exactly that position, so streaming from that
 * position afterwards neither misses nor repeats a change.
 *
 * MariaDB reports the position of a consistent snapshot without any lock (binlog_snapshot_file /
 * binlog_snapshot_position). MySQL does not, so there a global read lock is held only for the
 * instant it takes to start the transaction and read SHOW MASTER STATUS.
 */
export class ConsistentSnapshot {
  readonly position: BinlogPosition;
  private readonly conn: Connection;

  private constructor(conn: Connection, position: BinlogPosition) {
    this.conn = conn;
    this.position = position;
  }

  static async open(options: mysql.ConnectionOptions, flavor: Flavor): Promise<ConsistentSnapshot> {
    const conn = await mysql.createConnection(options);
    try {
      // TIMESTAMP values are read in UTC, as the binlog carries them.
      await conn.query("SET SESSION time_zone = '+00:00'");
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      let position: BinlogPosition;
      if (flavor === 'mariadb') {
        await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
        const [rows] = await conn.query<RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
        const v = Object.fromEntries(rows.map((r) => [String(r.Variable_name).toLowerCase(), r.Value]));
        const file = String(v.binlog_snapshot_file);
        const pos = Number(v.binlog_snapshot_position);
        position = new BinlogPosition(file, pos, await mariadbGtidAt(conn, file, pos));
      } else {
        await conn.query('FLUSH TABLES WITH READ LOCK');
        try {
          await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
          position = await currentPosition(conn, 'mysql');
        } finally {
          await conn.query('UNLOCK TABLES');
        }
      }
      return new ConsistentSnapshot(conn, position);
    } catch (err) {
      await conn.end().catch(() => undefined);
      throw err;
    }
  }

  /**
   * TiDB: a read-only transaction at a TSO (stale read), so the snapshot is the state at exactly
   * that read point, also when a resumed snapshot opens it again. Its position is the TSO's
   * (tso.ts). TiDB's GC keeps the history of a read point an open transaction holds.
   */
  static async atTso(options: mysql.ConnectionOptions, tso: Tso): Promise<ConsistentSnapshot> {
    const conn = await mysql.createConnection(options);
    try {
      await conn.query("SET SESSION time_zone = '+00:00'");
      await conn.query('START TRANSACTION READ ONLY AS OF TIMESTAMP ?', [tso.utcLiteral()]);
      return new ConsistentSnapshot(conn, tso.asPosition());
    } catch (err) {
      await conn.end().catch(() => undefined);
      throw err;
    }
  }

  /** Base tables of the source as of the snapshot, with an estimate of their rows. */
  async tables(): Promise<{ database: string; table: string; estimatedRows: number }[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(
      `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES
        WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    );
    return rows.map((r) => ({ database: r.TABLE_SCHEMA, table: r.TABLE_NAME, estimatedRows: Number(r.TABLE_ROWS ?? 0) }));
  }

  /**
   * The next chunk of a table in key order after `after` (the last key of the previous chunk).
   * The binary protocol is used so that FLOAT arrives as its exact bits, not as rounded text.
   */
  async chunk(
    database: string,
    table: string,
    columns: ColumnDef[],
    key: string[],
    after: unknown[] | null,
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    const cols = columns.map((c) => quoteIdent(c.name)).join(', ');
    const keyList = key.map(quoteIdent).join(', ');
    const where = after ? `WHERE (${keyList}) > (${key.map(() => '?').join(', ')})` : '';
    const sql = `SELECT ${cols} FROM ${qualified(database, table)} ${where} ORDER BY ${keyList} LIMIT ${Math.floor(limit)}`;
    try {
      const [rows] = await this.conn.execute<RowDataPacket[]>(sql, (after ?? []) as never[]);
      return rows as Record<string, unknown>[];
    } catch (err) {
      // ER_TABLE_DEF_CHANGED: the table is newer than this consistent read.
      if ((err as { errno?: number }).errno === 1412) {
        throw new SluiceError('SNAPSHOT_INTERRUPTED', `${database}.${table} changed while the snapshot read it`, { cause: err });
      }
      throw err;
    }
  }

  /**
   * Rows of a table, as of this snapshot, whose key is one of `keys` (key columns only): which
   * keys the topic holds that the source still has (remove-gone.ts). Binary protocol, as chunk().
   */
  async presentKeys(database: string, table: string, key: string[], keys: SqlParam[][]): Promise<Record<string, unknown>[]> {
    if (keys.length === 0) return [];
    // Padded (with the last key again) to a power of two: few distinct prepared statements.
    const slots = paddedCount(keys.length);
    const params = [...keys, ...Array.from({ length: slots - keys.length }, () => keys[keys.length - 1] as SqlParam[])];
    const [rows] = await this.conn.execute<RowDataPacket[]>(
      presentKeysSql(database, table, key, slots),
      params.flat() as never[],
    );
    return rows as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    await this.conn.query('COMMIT').catch(() => undefined);
    await this.conn.end().catch(() => undefined);
  }
}
