import type { BaseManifest } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { parseToPosition, parseToTime, positionAtOrBefore } from './cut.ts';
import { type ArchivedFile, planRestore } from './plan.ts';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const s = (sec: number) => T0 + sec * 1000;

function base(id: string, createdSec: number, end: string, lastSec: number | null, lastGtid: string | null): BaseManifest {
  return {
    id,
    createdAtMs: s(createdSec),
    topicPrefix: 'p',
    tables: [
      {
        db: 'shop',
        table: 'items',
        topic: 'p.shop.items',
        schemaIds: [1],
        rows: 10,
        bytes: 100,
        files: [`base=${id}/shop/items/0-0.avro`],
        partitions: [
          { partition: 0, endOffset: end, lastSourceTsMs: lastSec === null ? null : s(lastSec), lastPosition: lastGtid },
        ],
      },
    ],
  };
}

function file(first: number, last: number, firstSec: number, lastSec: number, seq0: number, seq1: number): ArchivedFile {
  return {
    key: `shop/items/date=2026-01-01/hour=10/0-${first}.avro`,
    db: 'shop',
    table: 'items',
    topic: 'p.shop.items',
    partition: 0,
    firstOffset: String(first),
    lastOffset: String(last),
    firstSourceTsMs: s(firstSec),
    lastSourceTsMs: s(lastSec),
    firstPosition: `0-1-${seq0}`,
    lastPosition: `0-1-${seq1}`,
    rows: last - first + 1,
    bytes: 10,
    schemaId: 1,
  };
}

// The archive: offsets 0-99 (seconds 0-9, GTIDs 1-50), 100-199 (10-19, 51-100), 200-299 (20-29, 101-150).
const archive = [file(0, 99, 0, 9, 1, 50), file(100, 199, 10, 19, 51, 100), file(200, 299, 20, 29, 101, 150)];
const bases = [base('b1', 5, '50', 5, '0-1-25'), base('b2', 15, '150', 15, '0-1-75'), base('b3', 25, '250', 25, '0-1-125')];

describe('planRestore', () => {
  it('picks the newest base whose changes all precede the time, and the archive files after it up to the time', () => {
    const plan = planRestore({ bases, archive, cut: { kind: 'time', tsMs: s(17) }, tables: [] });
    expect(plan.base.id).toBe('b2');
    const p = plan.tables[0]?.partitions[0];
    expect(p?.fromOffset).toBe('150');
    // The file 100-199 holds offsets from 150 on; 200-299 starts after second 17: not read.
    expect(p?.files.map((f) => f.firstOffset)).toEqual(['100']);
    expect(plan.baseRows).toBe(10);
    expect(plan.archiveFiles).toBe(1);
  });

  it('a base ending exactly at the time is taken; one a second later is not', () => {
    expect(planRestore({ bases, archive, cut: { kind: 'time', tsMs: s(25) }, tables: [] }).base.id).toBe('b3');
    expect(planRestore({ bases, archive, cut: { kind: 'time', tsMs: s(25) - 1 }, tables: [] }).base.id).toBe('b2');
  });

  it('by position: the newest base whose last change is at or before it', () => {
    const plan = planRestore({ bases, archive, cut: parseToPosition('0-1-124'), tables: [] });
    expect(plan.base.id).toBe('b2');
    expect(plan.tables[0]?.partitions[0]?.files.map((f) => f.firstOffset)).toEqual(['100', '200']);
    expect(planRestore({ bases, archive, cut: parseToPosition('0-1-125'), tables: [] }).base.id).toBe('b3');
  });

  it('a base of snapshot rows only (no GTID, file:pos) precedes any GTID cut; a file:pos cut compares with file:pos', () => {
    const snap = base('b0', 1, '20', 1, 'binlog.000001:900');
    snap.tables[0]!.partitions[0]!.lastGtid = null;
    snap.tables[0]!.partitions[0]!.lastFilePos = 'binlog.000001:900';
    expect(planRestore({ bases: [snap], archive, cut: parseToPosition('0-1-10'), tables: [] }).base.id).toBe('b0');
    // A file:pos cut over an archive of GTIDs: whether it reaches past the cut cannot be told.
    expect(() => planRestore({ bases: [snap], archive, cut: parseToPosition('binlog.000001:1000'), tables: [] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_GAP', message: expect.stringContaining('cannot be compared') }),
    );
    expect(() => planRestore({ bases: [snap], archive, cut: parseToPosition('binlog.000001:800'), tables: [] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_NO_BASE' }),
    );
  });

  it('refuses when no base precedes the cut', () => {
    expect(() => planRestore({ bases, archive, cut: { kind: 'time', tsMs: s(4) }, tables: [] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_NO_BASE' }),
    );
    expect(() => planRestore({ bases, archive, cut: { kind: 'time', tsMs: s(17) }, tables: ['other.*'] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_NO_BASE' }),
    );
  });

  it('refuses a gap: the archive of a partition starting after the base ends', () => {
    const late = archive.slice(1).map((f) => ({ ...f }));
    late[0] = { ...(late[0] as ArchivedFile), firstOffset: '160' };
    expect(() => planRestore({ bases, archive: late, cut: { kind: 'time', tsMs: s(17) }, tables: [] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_GAP', message: expect.stringContaining('starts at offset 160') }),
    );
    // Starting exactly at the base's end is no gap.
    late[0] = { ...(late[0] as ArchivedFile), firstOffset: '150' };
    expect(planRestore({ bases, archive: late, cut: { kind: 'time', tsMs: s(17) }, tables: [] }).base.id).toBe('b2');
    // Nothing archived of a table the base holds rows of: a gap too.
    expect(() => planRestore({ bases, archive: [], cut: { kind: 'time', tsMs: s(17) }, tables: [] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_GAP' }),
    );
  });

  it('refuses a cut the archive does not reach past', () => {
    expect(() => planRestore({ bases, archive, cut: { kind: 'time', tsMs: s(29) }, tables: [] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_GAP', message: expect.stringContaining('does not reach past') }),
    );
    expect(planRestore({ bases, archive, cut: { kind: 'time', tsMs: s(28) }, tables: [] }).base.id).toBe('b3');
    expect(() => planRestore({ bases, archive, cut: parseToPosition('0-1-150'), tables: [] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_GAP' }),
    );
  });
});

describe('planRestore: tables not in the base', () => {
  // shop.later: created after every base, its topic p.shop.later archived from offset 0 (seconds 12-27), two partitions.
  const later = (partition: number, first: number, last: number, firstSec: number, lastSec: number): ArchivedFile => ({
    ...file(first, last, firstSec, lastSec, 500 + first, 500 + last),
    key: `shop/later/date=2026-01-01/hour=10/${partition}-${first}.avro`,
    table: 'later',
    topic: 'p.shop.later',
    partition,
  });
  const withLater = [...archive, later(0, 0, 9, 12, 15), later(0, 10, 19, 16, 27), later(1, 0, 4, 13, 14)];

  it('restores a table created after the base from an empty base when its archive starts at offset 0 of every partition', () => {
    const plan = planRestore({ bases, archive: withLater, cut: { kind: 'time', tsMs: s(15) }, tables: [] });
    expect(plan.base.id).toBe('b2');
    expect(plan.tables.map((t) => [`${t.db}.${t.table}`, t.afterBase, t.base.rows, t.base.files.length])).toEqual([
      ['shop.items', false, 10, 1],
      ['shop.later', true, 0, 0],
    ]);
    const t = plan.tables[1];
    // From offset 0, files up to the cut (the one from second 16 on is past it).
    expect(t?.partitions.map((p) => [p.partition, p.fromOffset, p.files.map((f) => f.firstOffset)])).toEqual([
      [0, '0', ['0']],
      [1, '0', ['0']],
    ]);
    expect(t?.archiveRows).toBe(15);
    expect(plan.leftOut).toEqual([]);
    // Before its first change it is left out: it did not exist yet.
    const early = planRestore({ bases, archive: withLater, cut: { kind: 'time', tsMs: s(11) }, tables: [] });
    expect(early.tables.map((x) => x.table)).toEqual(['items']);
    expect(early.leftOut[0]).toMatchObject({
      table: 'shop.later',
      reason: expect.stringContaining('no change of it at or before'),
    });
  });

  it('reads a topic of the base once: a file of it filed under another name (the temporary name of a rename swap) is no table of its own', () => {
    // RENAME TABLE items TO tmp, x TO items, tmp TO x: the marker of tmp is on items' topic, filed under tmp.
    const swap = { ...file(100, 100, 10, 10, 51, 51), key: 'shop/tmp/date=2026-01-01/hour=10/0-100.avro', table: 'tmp' };
    const plan = planRestore({ bases, archive: [...archive, swap], cut: { kind: 'time', tsMs: s(17) }, tables: [] });
    expect(plan.tables.map((t) => `${t.db}.${t.table}`)).toEqual(['shop.items']);
  });

  it('refuses one whose archive does not reach back (RESTORE_GAP naming it), or leaves it out when --tables does not name it', () => {
    // Partition 1's first file was pruned: it starts at offset 5.
    const pruned = [...archive, later(0, 0, 9, 12, 15), later(1, 5, 8, 14, 14)];
    const cut = { kind: 'time' as const, tsMs: s(17) };
    expect(() => planRestore({ bases, archive: pruned, cut, tables: [] })).toThrow(
      expect.objectContaining({
        code: 'RESTORE_GAP',
        message: expect.stringContaining(
          'shop.later is not in base b2 and its archive does not reach back to the start of its topic p.shop.later (partition 1 starts at offset 5)',
        ),
      }),
    );
    expect(() => planRestore({ bases, archive: pruned, cut, tables: ['shop.later', 'shop.items'] })).toThrow(
      expect.objectContaining({ code: 'RESTORE_GAP' }),
    );
    const plan = planRestore({ bases, archive: pruned, cut, tables: ['shop.*'] });
    expect(plan.tables.map((t) => t.table)).toEqual(['items']);
    expect(plan.leftOut).toEqual([{ table: 'shop.later', reason: expect.stringContaining('partition 1 starts at offset 5') }]);
  });
});

describe('cut', () => {
  it('compares positions of one GTID domain or server, or file:pos; never across', () => {
    expect(positionAtOrBefore('0-1-5', '0-1-5')).toBe(true);
    expect(positionAtOrBefore('0-1-6', '0-1-5')).toBe(false);
    expect(positionAtOrBefore('0-2-6', '1-1-9,0-1-7')).toBe(true);
    expect(positionAtOrBefore('2-1-6', '0-1-7')).toBeUndefined();
    const u = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    expect(positionAtOrBefore(`${u}:10`, `${u}:9`)).toBe(false);
    expect(positionAtOrBefore('binlog.000003:400', 'binlog.000004:4')).toBe(true);
    expect(positionAtOrBefore('binlog.000003:400', '0-1-5')).toBeUndefined();
  });

  it('parses times with a zone only', () => {
    expect(parseToTime('2026-01-01T10:00:05Z')).toEqual({ kind: 'time', tsMs: s(5) });
    expect(parseToTime(String(s(5)))).toEqual({ kind: 'time', tsMs: s(5) });
    expect(() => parseToTime('2026-01-01 10:00:05')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => parseToPosition('nope')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
