import { BinlogPosition } from '@sluice/core';
import type { Connection, Pool, RowDataPacket } from 'mysql2/promise';
import type { Flavor } from './source-checks.ts';

/**
 * The end of the source's binlog now, with its GTID position: where a capture told to start
 * from `now` starts, written down as its first checkpoint before it reads anything, so that a
 * crash before its first transaction commits resumes there rather than at a later `now`.
 */
export async function currentPosition(db: Pool | Connection, flavor: Flavor): Promise<BinlogPosition> {
  const [[m]] = await db.query<RowDataPacket[]>('SHOW MASTER STATUS');
  const file = String(m?.File);
  const pos = Number(m?.Position);
  if (flavor === 'mariadb') return new BinlogPosition(file, pos, (await mariadbGtidAt(db, file, pos)) || null);
  const gtid = String(m?.Executed_Gtid_Set ?? '').replace(/\s+/g, '');
  return new BinlogPosition(file, pos, gtid || null);
}

/** MariaDB's GTID position at a binlog file and position (BINLOG_GTID_POS); null when it cannot tell. */
export async function mariadbGtidAt(db: Pool | Connection, file: string, pos: number): Promise<string | null> {
  const [[g]] = await db.query<RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS gtid', [file, pos]);
  return (g?.gtid as string | null | undefined) ?? null;
}
