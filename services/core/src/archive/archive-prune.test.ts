import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ManifestEntry, readTableManifest, removeTree, writeTableManifest } from './archive-manifest.ts';
import { pruneArchive, removeArchiveFiles } from './archive-prune.ts';
import { type ArchiveStorage, LocalArchiveStorage } from './archive-storage.ts';

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((d) => removeTree(d))));
const storage = (): LocalArchiveStorage => {
  const d = mkdtempSync(join(tmpdir(), 'archive-prune-'));
  roots.push(d);
  return new LocalArchiveStorage(d);
};

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 30);
const entry = (first: number, daysAgo: number): ManifestEntry => ({
  file: `date=2026-01-01/hour=00/0-${first}.avro`,
  db: 'db',
  table: 't',
  topic: 'p.db.t',
  partition: 0,
  firstOffset: String(first),
  lastOffset: String(first + 9),
  firstSourceTsMs: NOW - daysAgo * DAY,
  lastSourceTsMs: NOW - daysAgo * DAY,
  firstPosition: '',
  lastPosition: '',
  rows: 10,
  schemaId: 1,
  bytes: 1,
  codec: 'deflate',
  writtenAt: NOW,
});

async function archive(s: ArchiveStorage, entries: ManifestEntry[]): Promise<void> {
  for (const e of entries) await s.write(`db/t/${e.file}`, 'avro');
  await writeTableManifest(s, 'db/t', entries);
}

const base = (id: string, daysAgo: number, end: string) =>
  JSON.stringify({
    id,
    createdAtMs: NOW - daysAgo * DAY,
    tables: [{ db: 'db', table: 't', topic: 'p.db.t', partitions: [{ partition: 0, endOffset: end }] }],
  });

describe('archive prune', () => {
  it('takes files out of the manifest before it removes them (a crash between leaves only unlisted files)', async () => {
    const s = storage();
    const es = [entry(0, 30), entry(10, 1)];
    await archive(s, es);
    const removed: string[] = [];
    // The storage fails on the removal: the manifest was written first, so nothing listed is missing.
    const failing: ArchiveStorage = Object.assign(Object.create(s), {
      remove: async (keys: string[]) => {
        removed.push(...keys);
        throw new Error('killed');
      },
    });
    await expect(removeArchiveFiles(failing, 'db/t', es, [es[0] as ManifestEntry])).rejects.toThrow('killed');
    expect((await readTableManifest(s, 'db/t')).map((e) => e.firstOffset)).toEqual(['10']);
    expect(removed).toEqual(['db/t/date=2026-01-01/hour=00/0-0.avro']);
  });

  it('removes old files no kept base needs, then bases beyond keepBases (base.json first); --dry-run changes nothing', async () => {
    const s = storage();
    await archive(s, [entry(0, 40), entry(10, 30), entry(20, 20), entry(30, 1)]);
    await s.write('base=old/db/t/data.avro', 'x');
    await s.write('base=old/base.json', base('old', 35, '5'));
    await s.write('base=new/base.json', base('new', 25, '25'));
    await s.write('base=unfinished/db/t/data.avro', 'x');
    const dry = await pruneArchive(s, { archiveDays: 10, keepBases: 1 }, { nowMs: NOW, dryRun: true });
    expect(dry.files.map((f) => [f.table, f.entries.map((e) => e.firstOffset)])).toEqual([['db/t', ['0', '10']]]);
    expect(dry.bases.map((b) => b.id)).toEqual(['old']);
    expect((await readTableManifest(s, 'db/t')).length).toBe(4);
    await pruneArchive(s, { archiveDays: 10, keepBases: 1 }, { nowMs: NOW });
    expect((await readTableManifest(s, 'db/t')).map((e) => e.firstOffset)).toEqual(['20', '30']);
    expect(await s.list('')).toEqual([
      'base=new/base.json',
      'base=unfinished/db/t/data.avro',
      'db/t/date=2026-01-01/hour=00/0-20.avro',
      'db/t/date=2026-01-01/hour=00/0-30.avro',
      'db/t/manifest.jsonl',
    ]);
  });

  it('refuses to remove anything while a base cannot be read', async () => {
    const s = storage();
    await archive(s, [entry(0, 40), entry(10, 1)]);
    await s.write('base=bad/base.json', '{"half":');
    const plan = await pruneArchive(s, { archiveDays: 10 }, { nowMs: NOW });
    expect(plan.refused).toMatch(/base bad/);
    expect((await readTableManifest(s, 'db/t')).length).toBe(2);
  });
});
