import { BinlogPosition } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { SourceEvent } from './binlog-reader.ts';
import { type BinlogScan, locateTime } from './time-start.ts';

/** A binlog as transactions: each a begin at a time and a commit ending at a position. */
type Txn = { file: string; end: number; sec: number; ddl?: boolean };

function fakeScan(txns: Txn[]): BinlogScan & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    async open(from, onEvent) {
      opened.push(from.toString());
      let stopped = false;
      const events: SourceEvent[] = [];
      for (const t of txns) {
        const end = new BinlogPosition(t.file, t.end);
        if (end.compare(from) <= 0) continue;
        const ts_ms = t.sec * 1000;
        if (t.ddl)
          events.push({ kind: 'ddl', database: 'd', query: 'ALTER TABLE t ADD c INT', position: end, gtid: null, ts_ms });
        else {
          events.push({ kind: 'begin', gtid: null, ts_ms });
          events.push({ kind: 'commit', position: end, gtid: null, ts_ms });
        }
      }
      setImmediate(() => {
        for (const e of events) if (!stopped) onEvent(e);
      });
      return async () => {
        stopped = true;
      };
    },
  };
}

const txns: Txn[] = [
  { file: 'b.000003', end: 300, sec: 100 },
  { file: 'b.000003', end: 600, sec: 110 },
  { file: 'b.000004', end: 250, sec: 200 },
  { file: 'b.000004', end: 500, sec: 205, ddl: true },
  { file: 'b.000004', end: 900, sec: 230 },
  { file: 'b.000005', end: 400, sec: 300 },
];
const files = ['b.000003', 'b.000004', 'b.000005'];
const end = new BinlogPosition('b.000005', 400);

describe('locateTime', () => {
  it('starts at the boundary before the first transaction at or after the time', async () => {
    const scan = fakeScan(txns);
    const r = await locateTime({ files, end, timeMs: 204_000, scan, quietMs: 200 });
    expect(r.position.toString()).toBe('b.000004:250');
    expect(r.firstTsMs).toBe(205_000);
    // A DDL is a transaction too; an exact second counts, and so does a time inside it.
    expect((await locateTime({ files, end, timeMs: 205_999, scan, quietMs: 200 })).position.toString()).toBe('b.000004:250');
    expect((await locateTime({ files, end, timeMs: 206_000, scan, quietMs: 200 })).position.toString()).toBe('b.000004:500');
    // The first transaction of a file: the start is the previous file's last boundary (same place).
    expect((await locateTime({ files, end, timeMs: 150_000, scan, quietMs: 200 })).position.toString()).toBe('b.000003:600');
    expect((await locateTime({ files, end, timeMs: 300_000, scan, quietMs: 200 })).position.toString()).toBe('b.000004:900');
  });

  it('starts at the end for a time after every transaction', async () => {
    const r = await locateTime({ files, end, timeMs: 999_000, scan: fakeScan(txns), quietMs: 200 });
    expect(r).toEqual({ position: end, firstTsMs: null });
  });

  it('refuses a time before the oldest transaction still in the binlog, unless it is the first file', async () => {
    await expect(locateTime({ files, end, timeMs: 50_000, scan: fakeScan(txns), quietMs: 200 })).rejects.toThrow(
      /BINLOG_PURGED|before the oldest transaction/,
    );
    const fresh = txns.map((t) => ({ ...t, file: t.file.replace('000003', '000001') }));
    const r = await locateTime({
      files: ['b.000001', 'b.000004', 'b.000005'],
      end,
      timeMs: 50_000,
      scan: fakeScan(fresh),
      quietMs: 200,
    });
    expect(r.position.toString()).toBe('b.000001:4');
  });

  it('searches the files by their first transaction instead of reading them all', async () => {
    const many: Txn[] = [];
    const names: string[] = [];
    for (let f = 10; f < 42; f++) {
      const file = `b.0000${f}`;
      names.push(file);
      for (let i = 0; i < 3; i++) many.push({ file, end: 100 * (i + 1), sec: f * 100 + i });
    }
    const scan = fakeScan(many);
    const r = await locateTime({ files: names, end: new BinlogPosition('b.000041', 300), timeMs: 3_001_000, scan, quietMs: 200 });
    expect(r.position.toString()).toBe('b.000030:100');
    expect(scan.opened.length).toBeLessThanOrEqual(8);
  });
});
