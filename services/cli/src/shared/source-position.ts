import { BinlogPosition, SluiceError, Tso } from '@sluice/core';
import type { Session } from './session.ts';

/** Where the source's binlog is now: file + position, and the GTID state if it has one. */
export interface SourcePosition {
  position: BinlogPosition;
  /** MariaDB `@@gtid_binlog_pos` ("0-1-100,1-2-7") or MySQL `Executed_Gtid_Set` ("uuid:1-100"). */
  gtid: string | null;
}

/**
 * SHOW MASTER STATUS (MySQL 8.4 also answers SHOW BINARY LOG STATUS) plus MariaDB's GTID
 * position. TiDB has no binlog: its position is a fresh TSO, as the query capture's positions are
 * (core tso.ts), so a sink's checkpoint compares with it.
 */
export async function readSourcePosition(s: Session): Promise<SourcePosition> {
  if (s.flavor === 'tidb') return { position: await tidbPosition(s), gtid: null };
  const rows = await s
    .objects<Record<string, unknown>>('SHOW MASTER STATUS')
    .catch(() => s.objects<Record<string, unknown>>('SHOW BINARY LOG STATUS'));
  const r = rows[0];
  if (!r) throw new SluiceError('SOURCE_SETTING', 'the source has no binary log (SHOW MASTER STATUS is empty): enable log_bin');
  const position = new BinlogPosition(String(r.File), Number(r.Position));
  let gtid = r.Executed_Gtid_Set ? String(r.Executed_Gtid_Set).replace(/\s+/g, '') : null;
  if (s.flavor === 'mariadb') {
    const [g] = await s.rows('SELECT @@gtid_binlog_pos');
    gtid = g?.[0] ? String(g[0]) : null;
  }
  return { position, gtid: gtid || null };
}

/**
 * Whether a change at `event` (a sink checkpoint's source_position: a MariaDB GTID "0-1-123", a
 * MySQL GTID "uuid:123", or "binlog.000003:4567") is at or after `start`. Undefined when the
 * two cannot be compared (another GTID domain the start does not know, an unreadable value).
 */
export function atOrAfter(event: string, start: SourcePosition): boolean | undefined {
  const maria = /^(\d+)-(\d+)-(\d+)$/.exec(event);
  if (maria) {
    const entry = start.gtid?.split(',').find((e) => e.startsWith(`${maria[1]}-`));
    if (!entry) return undefined;
    return BigInt(maria[3] as string) >= BigInt(entry.split('-')[2] ?? '0');
  }
  const mysql = /^([0-9a-f-]{36}):(\d+)$/i.exec(event);
  if (mysql) {
    const entry = start.gtid?.split(',').find((e) => e.toLowerCase().startsWith((mysql[1] as string).toLowerCase()));
    if (!entry) return undefined;
    // Intervals are sorted: the last one ends at the newest transaction executed at the start.
    const newest = BigInt(entry.split(':').pop()?.split('-').pop() ?? '0');
    return BigInt(mysql[2] as string) >= newest;
  }
  try {
    return BinlogPosition.parse(event).compare(start.position) >= 0;
  } catch {
    return undefined;
  }
}

/** TiDB's position now: the start TSO of an empty transaction, at whole milliseconds. */
async function tidbPosition(s: Session): Promise<BinlogPosition> {
  await s.rows('BEGIN');
  try {
    const [r] = await s.rows('SELECT @@tidb_current_ts');
    return Tso.parse(String(r?.[0])).floorMs().asPosition();
  } finally {
    await s.rows('ROLLBACK');
  }
}
