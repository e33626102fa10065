import { BinlogPosition, SluiceError } from '@sluice/core';

/**
 * Where a restore stops: a source time (every change at or before it; binlog times are whole
 * seconds, so one-second resolution) or a source position (exact: the changes of every
 * transaction up to and including it).
 */
export type RestoreCut = { kind: 'time'; tsMs: number } | { kind: 'position'; position: string };

/** --to-time: an ISO 8601 time (a zone is required: Z or +hh:mm), or ms since the epoch. */
export function parseToTime(text: string): RestoreCut {
  const ms = /^\d+$/.test(text) ? Number(text) : /(Z|[+-]\d\d:?\d\d)$/i.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice restore: --to-time ${JSON.stringify(text)} is not a time with a zone (2026-01-02T14:03:00Z) or ms since the epoch`,
    );
  }
  return { kind: 'time', tsMs: ms };
}

/** --to-position: a MariaDB GTID position (0-1-500, or a list by domain), a MySQL GTID (uuid:500) or file:pos. */
export function parseToPosition(text: string): RestoreCut {
  const t = text.trim();
  const ok = t.split(',').every((p) => GTID_MARIA.test(p) || GTID_MYSQL.test(p)) || FILE_POS.test(t);
  if (!ok) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice restore: --to-position ${JSON.stringify(text)} is not a GTID (0-1-500, uuid:500) or a binlog file:position`,
    );
  }
  return { kind: 'position', position: t };
}

const GTID_MARIA = /^(\d+)-(\d+)-(\d+)$/;
const GTID_MYSQL = /^([0-9a-f-]{36}):(\d+)$/i;
const FILE_POS = /^[^\s/:]+\.\d+:\d+$/;

/**
 * Whether a change at `position` (a change's GTID or file:pos, as sinks and manifests print it)
 * is at or before the cut position `to`. Undefined when the two cannot be compared: another
 * GTID domain or server uuid than `to` names, or a GTID against a file:pos.
 */
export function positionAtOrBefore(position: string, to: string): boolean | undefined {
  const maria = GTID_MARIA.exec(position);
  if (maria) {
    const entry = to
      .split(',')
      .map((p) => GTID_MARIA.exec(p.trim()))
      .find((m) => m && m[1] === maria[1]);
    return entry ? BigInt(maria[3] as string) <= BigInt(entry[3] as string) : undefined;
  }
  const mysql = GTID_MYSQL.exec(position);
  if (mysql) {
    const entry = to
      .split(',')
      .map((p) => GTID_MYSQL.exec(p.trim()))
      .find((m) => m && (m[1] as string).toLowerCase() === (mysql[1] as string).toLowerCase());
    return entry ? BigInt(mysql[2] as string) <= BigInt(entry[2] as string) : undefined;
  }
  if (!FILE_POS.test(position) || !FILE_POS.test(to)) return undefined;
  return BinlogPosition.parse(position).compare(BinlogPosition.parse(to)) <= 0;
}

/**
 * Whether a change (its source time and position: its GTID or file:pos, and its file:pos when
 * known) is inside the cut; undefined when its position cannot be compared with the cut's.
 */
export function withinCut(cut: RestoreCut, tsMs: number, position: string, filePos?: string): boolean | undefined {
  if (cut.kind === 'time') return tsMs <= cut.tsMs;
  return positionAtOrBefore(position, cut.position) ?? (filePos ? positionAtOrBefore(filePos, cut.position) : undefined);
}

export const describeCut = (cut: RestoreCut): string =>
  cut.kind === 'time' ? `time ${new Date(cut.tsMs).toISOString()}` : `position ${cut.position}`;
