import { type MysqlEndpoint, mysqlOptionsFromUrl, SluiceError, Tso } from '@sluice/core';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';

/** When the writes not yet visible can have begun: the bound of the next change-column scan. */
export interface WritesSince {
  /** The server's clock now (ms). */
  nowMs: number;
  /** The start of the oldest transaction open on any TiDB server (ms), if one is. */
  oldestOpenMs: number | null;
  /** The server's global time zone offset from UTC (s): how DATETIME change columns are written. */
  zoneOffsetSec: number;
}

/**
 * The query capture's control connection to a TiDB source: TSOs, the open transactions, the GC
 * lifetime, the schema version. Rows are read through read-points.ts.
 */
export class TidbSession {
  private readonly conn: Connection;

  private constructor(conn: Connection) {
    this.conn = conn;
  }

  static async open(source: MysqlEndpoint): Promise<TidbSession> {
    const conn = await mysql.createConnection(mysqlOptionsFromUrl(source));
    try {
      const [v] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v');
      if (!/TiDB/i.test(String(v[0]?.v))) {
        throw new SluiceError(
          'SOURCE_SETTING',
          `source.kind tidb needs a TiDB server; ${String(v[0]?.v)} is not one (use source.kind binlog for MySQL and MariaDB)`,
        );
      }
      await conn.query("SET SESSION time_zone = '+00:00'");
      return new TidbSession(conn);
    } catch (err) {
      await conn.end().catch(() => undefined);
      throw err;
    }
  }

  /** A fresh TSO from PD: the start timestamp of an empty transaction. */
  async currentTso(): Promise<Tso> {
    await this.conn.query('BEGIN');
    try {
      const [r] = await this.conn.query<RowDataPacket[]>('SELECT @@tidb_current_ts AS ts');
      return Tso.parse(String(r[0]?.ts));
    } finally {
      await this.conn.query('ROLLBACK');
    }
  }

  /** Read before the next read point is taken: any write it cannot see began at or after this. */
  async writesSince(): Promise<WritesSince> {
    const [r] = await this.conn.query<RowDataPacket[]>(
      `SELECT FLOOR(UNIX_TIMESTAMP(NOW(3)) * 1000) AS now_ms,
              (SELECT FLOOR(UNIX_TIMESTAMP(MIN(START_TIME)) * 1000) FROM information_schema.CLUSTER_TIDB_TRX) AS open_ms,
              TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', @@global.time_zone)) AS zone_sec,
              @@global.time_zone AS zone, @@system_time_zone AS system_zone`,
    );
    const row = r[0] as RowDataPacket;
    // CONVERT_TZ gives NULL for the zone SYSTEM: then the server's system zone decides.
    let zone = row.zone_sec;
    if (zone === null) {
      const [s] = await this.conn.query<RowDataPacket[]>(
        'SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), CONVERT_TZ(UTC_TIMESTAMP(), "+00:00", @@system_time_zone)) AS s',
      );
      zone = s[0]?.s ?? null;
    }
    return {
      nowMs: Number(row.now_ms),
      oldestOpenMs: row.open_ms === null ? null : Number(row.open_ms),
      // Unknown: assume the widest offset a zone can have, so no DATETIME write is missed.
      zoneOffsetSec: zone === null ? 14 * 3600 : Number(zone),
    };
  }

  /** tidb_gc_life_time in ms: how old a read point may be. */
  async gcLifeTimeMs(): Promise<number> {
    const [r] = await this.conn.query<RowDataPacket[]>('SELECT @@global.tidb_gc_life_time AS v');
    return goDurationMs(String(r[0]?.v));
  }

  /** TiDB's schema version: it moves with every DDL, so the capture knows when to read layouts again. */
  async schemaVersion(): Promise<string> {
    const [r] = await this.conn.query<RowDataPacket[]>("SHOW STATUS LIKE 'ddl_schema_version'");
    return String(r[0]?.Value ?? '');
  }

  async query(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(sql, params);
    return rows;
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => undefined);
  }
}

/** Go's time.Duration text ("10m0s", "1h30m", "500ms") in ms. */
export function goDurationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
    throw new RangeError(`not a duration: ${text}`);
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * (units[p[2] as string] as number), 0));
}
