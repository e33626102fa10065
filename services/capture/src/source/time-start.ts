import { BinlogPosition, SluiceError } from '@sluice/core';
import type { SourceEvent } from './binlog-reader.ts';

/** Reads binlog events from a position until stopped (BinlogReader in production, a fake in tests). */
export interface BinlogScan {
  open(from: BinlogPosition, onEvent: (e: SourceEvent) => void, onError: (e: SluiceError) => void): Promise<() => Promise<void>>;
}

export interface TimeStart {
  /** Where streaming starts: the boundary before the first transaction at or after the time. */
  position: BinlogPosition;
  /** That transaction's time, or null when none came before the end (the start is the end). */
  firstTsMs: number | null;
}

/** A transaction's start as the reader tells it: its GTID event, or a DDL without one (MariaDB). */
const startTs = (e: SourceEvent): number | undefined => (e.kind === 'begin' || e.kind === 'ddl' ? e.ts_ms : undefined);

/** Where a transaction ends: the next one starts there. */
const boundary = (e: SourceEvent): BinlogPosition | undefined =>
  e.kind === 'commit' || e.kind === 'ddl' || e.kind === 'xa_prepare' || e.kind === 'xa_outcome' ? e.position : undefined;

/**
 * `startFrom: { time }`: the position of the first transaction whose first event was written at
 * or after `timeMs` (binlog event times have second resolution on MySQL and MariaDB: a time
 * inside a second starts at that second). The binlog files are searched by the time of their
 * first transaction (binary search), then the one file is read up to that transaction. Reading
 * stops at `end` (the source's position when the search began) or after `quietMs` without an event:
 * a time after every transaction starts at the end.
 *
 * A time before the first transaction of the oldest binlog file still on the source is refused
 * (BINLOG_PURGED) unless that file is the server's first (`.000001`): what came between the time
 * and that file may have been purged.
 */
export async function locateTime(opts: {
  files: string[];
  end: BinlogPosition;
  timeMs: number;
  scan: BinlogScan;
  quietMs?: number;
}): Promise<TimeStart> {
  const quietMs = opts.quietMs ?? 3000;
  const { files, timeMs } = opts;
  if (!files.length) throw new SluiceError('SOURCE_SETTING', 'the source lists no binlog files (SHOW BINARY LOGS)');
  // The time is before binlog second resolution: an event at 12:00:00 is "at" 12:00:00.999.
  const wantSec = Math.floor(timeMs / 1000);
  const at = (ts: number) => Math.floor(ts / 1000) >= wantSec;

  const first = await firstTransaction(opts.scan, new BinlogPosition(files[0] as string, 4), quietMs);
  if (first === null) return { position: opts.end, firstTsMs: null };
  if (at(first)) {
    if (/\.0*1$/.test(files[0] as string)) return { position: new BinlogPosition(files[0] as string, 4), firstTsMs: first };
    throw new SluiceError(
      'BINLOG_PURGED',
      `startFrom time ${new Date(timeMs).toISOString()} is before the oldest transaction the source's binlog still holds (${new Date(first).toISOString()} in ${files[0]}): changes in between may have been purged; pick a later time, or take a snapshot`,
    );
  }
  // The last file whose first transaction is before the time: the transaction sought is in it or later.
  let lo = 0;
  let hi = files.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const ts = await firstTransaction(opts.scan, new BinlogPosition(files[mid] as string, 4), quietMs);
    if (ts !== null && !at(ts)) lo = mid;
    else hi = mid - 1;
  }
  return scanFor(opts.scan, new BinlogPosition(files[lo] as string, 4), opts.end, at, quietMs);
}

/**
 * Reads events from `from`, handing each to `onEvent` with `done`, until `done` is called or no
 * event has come for quietMs (then `quiet` is the answer); the reader is stopped either way.
 */
async function readUntil<T>(
  scan: BinlogScan,
  from: BinlogPosition,
  quietMs: number,
  quiet: T,
  onEvent: (e: SourceEvent, done: (v: T) => void) => void,
): Promise<T> {
  let done: (v: T) => void = () => undefined;
  let failed: (e: SluiceError) => void = () => undefined;
  const result = new Promise<T>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  let timer = setTimeout(() => done(quiet), quietMs);
  const stop = await scan.open(
    from,
    (e) => {
      clearTimeout(timer);
      timer = setTimeout(() => done(quiet), quietMs);
      onEvent(e, done);
    },
    failed,
  );
  try {
    return await result;
  } finally {
    clearTimeout(timer);
    await stop();
  }
}

/** The time of the first transaction from `from` on, or null if none comes within quietMs. */
function firstTransaction(scan: BinlogScan, from: BinlogPosition, quietMs: number): Promise<number | null> {
  return readUntil<number | null>(scan, from, quietMs, null, (e, done) => {
    const ts = startTs(e);
    if (ts !== undefined) done(ts);
  });
}

/** Reads from `from` to the first transaction `at` the time; its start (the boundary before it) is the answer. */
function scanFor(
  scan: BinlogScan,
  from: BinlogPosition,
  end: BinlogPosition,
  at: (ts: number) => boolean,
  quietMs: number,
): Promise<TimeStart> {
  let last = from;
  const atEnd: TimeStart = { position: end, firstTsMs: null };
  return readUntil(scan, from, quietMs, atEnd, (e, done) => {
    const ts = startTs(e);
    if (ts !== undefined && at(ts)) return done({ position: last, firstTsMs: ts });
    const b = boundary(e);
    if (!b) return;
    last = new BinlogPosition(b.file, b.pos);
    if (last.compare(end) >= 0) done(atEnd);
  });
}
