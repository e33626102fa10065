import { describe, expect, it } from 'vitest';
import { baseIdsOf, parseBase } from './archive-bases.ts';
import type { ManifestEntry } from './archive-manifest.ts';
import { expiredFiles, splitBases } from './archive-retention.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 30);

const entry = (partition: number, first: number, last: number, daysAgo: number, topic = 'p.db.t'): ManifestEntry => ({
  file: `date=x/hour=00/${partition}-${first}.avro`,
  db: 'db',
  table: 't',
  topic,
  partition,
  firstOffset: String(first),
  lastOffset: String(last),
  firstSourceTsMs: NOW - daysAgo * DAY - 1000,
  lastSourceTsMs: NOW - daysAgo * DAY,
  firstPosition: '',
  lastPosition: '',
  rows: last - first + 1,
  schemaId: 1,
  bytes: 1,
  codec: 'deflate',
  writtenAt: NOW,
});

const base = (id: string, createdDaysAgo: number, ends: Record<string, string>) => {
  const tables = [
    {
      db: 'db',
      table: 't',
      topic: 'p.db.t',
      partitions: Object.entries(ends).map(([p, endOffset]) => ({ partition: Number(p), endOffset })),
      rows: 5,
    },
  ];
  const r = parseBase(id, JSON.stringify({ id, createdAtMs: NOW - createdDaysAgo * DAY, tables, extra: 'ignored' }));
  if (!('base' in r)) throw new Error(r.error);
  return r.base;
};

const files = (es: ManifestEntry[]) => es.map((e) => `${e.partition}-${e.firstOffset}`);

describe('archive retention', () => {
  // Partition 0: files of 40, 30, 20, 10 and 1 days ago; partition 1: one file of 50 days ago.
  const entries = [
    entry(0, 0, 9, 40),
    entry(0, 10, 19, 30),
    entry(0, 20, 29, 20),
    entry(0, 30, 39, 10),
    entry(0, 40, 49, 1),
    entry(1, 0, 4, 50),
  ];

  it('removes files older than archiveDays, but never the newest of a partition; nothing without archiveDays', () => {
    expect(files(expiredFiles(entries, { nowMs: NOW, retention: { archiveDays: 15 }, kept: [] }))).toEqual([
      '0-0',
      '0-10',
      '0-20',
    ]);
    expect(expiredFiles(entries, { nowMs: NOW, retention: {}, kept: [] })).toEqual([]);
    expect(files(expiredFiles(entries, { nowMs: NOW, retention: { archiveDays: 0.5 }, kept: [] }))).toEqual([
      '0-0',
      '0-10',
      '0-20',
      '0-30',
    ]);
  });

  it('keeps every file a kept base needs: those reaching its end offset or beyond', () => {
    // A base whose end on partition 0 is 15: the file 10-19 holds 15.. and is needed, 0-9 is not.
    const b = base('b1', 35, { 0: '15' });
    expect(files(expiredFiles(entries, { nowMs: NOW, retention: { archiveDays: 15 }, kept: [b] }))).toEqual(['0-0']);
    // End 10 exactly: the file starting at 10 is the first one replayed.
    const at10 = base('b2', 35, { 0: '10' });
    expect(files(expiredFiles(entries, { nowMs: NOW, retention: { archiveDays: 15 }, kept: [at10] }))).toEqual(['0-0']);
    // A base of another topic protects nothing here.
    const other = parseBase('o', JSON.stringify({ id: 'o', createdAtMs: NOW, tables: [{ topic: 'x', partitions: [] }] }));
    if (!('base' in other)) throw new Error('parse');
    expect(files(expiredFiles(entries, { nowMs: NOW, retention: { archiveDays: 15 }, kept: [other.base] }))).toEqual([
      '0-0',
      '0-10',
      '0-20',
    ]);
  });

  it('keeps the newest keepBases bases (all without keepBases); the files are judged against the kept ones', () => {
    const old = base('old', 45, { 0: '5' });
    const mid = base('mid', 25, { 0: '25' });
    const young = base('young', 5, { 0: '45' });
    expect(splitBases([old, young, mid], 2)).toEqual({ kept: [young, mid], dropped: [old] });
    expect(splitBases([old, young, mid], undefined).dropped).toEqual([]);
    const { kept } = splitBases([old, young, mid], 2);
    // mid ends at 25: 20-29 and later stay; with old kept too, 0-9 would stay as well.
    expect(files(expiredFiles(entries, { nowMs: NOW, retention: { archiveDays: 15 }, kept }))).toEqual(['0-0', '0-10']);
    expect(files(expiredFiles(entries, { nowMs: NOW, retention: { archiveDays: 15 }, kept: [old, ...kept] }))).toEqual([]);
  });

  it('reads base.json defensively: only finished bases, malformed ones are errors, not guesses', () => {
    expect(baseIdsOf(['base=a/base.json', 'base=b/db/t/0.avro', 'db/t/manifest.jsonl', 'base=c/base.json'])).toEqual(['a', 'c']);
    expect(parseBase('a', 'not json')).toMatchObject({ error: expect.stringMatching(/not JSON/) });
    expect(parseBase('a', '{"id":"a","tables":[]}')).toMatchObject({ error: expect.stringMatching(/createdAtMs/) });
    expect(parseBase('a', '{"id":"b","createdAtMs":1,"tables":[]}')).toMatchObject({ error: expect.stringMatching(/id b/) });
    expect(
      parseBase('a', '{"createdAtMs":1,"tables":[{"topic":"t","partitions":[{"partition":0,"endOffset":12}]}]}'),
    ).toMatchObject({ error: expect.stringMatching(/endOffset/) });
    const ok = parseBase(
      'a',
      '{"createdAtMs":1,"tables":[{"topic":"t","partitions":[{"partition":3,"endOffset":"18446744073709551615"}]}]}',
    );
    expect('base' in ok && ok.base.ends.get('t\n3')).toBe(18446744073709551615n);
  });
});
