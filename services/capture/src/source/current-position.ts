import { BinlogPosition } from '@sluice/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Flavor } from './source-checks.ts';

/**
 * The end of the source's binlog now, with its GTID position: where a capture told to start
 * from `now` starts, written down as its first checkpoint before it reads anything, so that a
 * crash before its first transaction commits resumes there rather than at a later `now`.
 */
export async function currentPosition(pool: Pool, flavor: Flavor): Promise<BinlogPosition> {
  const [[m]] = await pool.query<RowDataPacket[]>('SHOW MASTER STATUS');
  const file = String(m?.File);
  const pos = Number(m?.Position);
  if (flavor === 'mariadb') {
    const [[g]] = await pool.query<RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS gtid', [file, pos]);
    return new BinlogPosition(file, pos, (g?.gtid as string | null) || null);
  }
  const gtid = String(m?.Executed_Gtid_Set ?? '').replace(/\s+/g, '');
  return new BinlogPosition(file, pos, gtid || null);
}
