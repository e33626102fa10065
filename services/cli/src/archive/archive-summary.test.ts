import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalArchiveStorage, type ManifestEntry, removeTree, tableDir, writeManifest } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeArchive } from './archive-summary.ts';
import { renderArchive, sizeText } from './command.ts';

const roots: string[] = [];
const tempRoot = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  roots.push(d);
  return d;
};
afterAll(() => Promise.all(roots.map((d) => removeTree(d))));

const H = Date.UTC(2026, 11, 2, 7);
const entry = (over: Partial<ManifestEntry>): ManifestEntry => ({
  file: 'date=2026-12-02/hour=07/0-0.avro',
  db: 'shop',
  table: 'items',
  topic: 'sluice.shop.items',
  partition: 0,
  firstOffset: '0',
  lastOffset: '9',
  firstSourceTsMs: H,
  lastSourceTsMs: H + 60_000,
  firstPosition: '0-1-1',
  lastPosition: '0-1-10',
  rows: 10,
  schemaId: 7,
  bytes: 1000,
  codec: 'deflate',
  writtenAt: H,
  ...over,
});

describe('sluice archive ls', () => {
  it('sums each table of an archive root from its manifest, filtered by table patterns', async () => {
    const root = tempRoot('archive-ls-');
    const items = tableDir(root, 'shop', 'items');
    const odd = tableDir(root, 'shop', 'a.b;c/d');
    mkdirSync(items, { recursive: true });
    mkdirSync(odd, { recursive: true });
    // An empty table directory (files never made durable) is not listed.
    mkdirSync(tableDir(root, 'shop', 'empty'), { recursive: true });
    await writeManifest(items, [
      entry({}),
      entry({
        file: 'date=2026-12-02/hour=08/0-10.avro',
        firstOffset: '10',
        lastOffset: '14',
        firstSourceTsMs: H + 3_600_000,
        lastSourceTsMs: H + 3_700_000,
        rows: 5,
        schemaId: 9,
        bytes: 24,
      }),
    ]);
    await writeManifest(odd, [entry({ table: 'a.b;c/d', topic: 'sluice.shop.a_b_c_d.h0123456789abcdef' })]);
    const all = await summarizeArchive(new LocalArchiveStorage(root), []);
    expect(all.map((t) => [`${t.db}.${t.table}`, t.dir, t.files, t.rows, t.bytes, t.schemaIds, t.hours])).toEqual([
      ['shop.a.b;c/d', 'shop/a%2Eb%3Bc%2Fd', 1, 10, 1000, [7], 1],
      ['shop.items', 'shop/items', 2, 15, 1024, [7, 9], 2],
    ]);
    const items0 = all[1];
    expect([items0?.from, items0?.to]).toEqual([H, H + 3_700_000]);
    expect((await summarizeArchive(new LocalArchiveStorage(root), ['shop.it*'])).map((t) => t.table)).toEqual(['items']);
    const text = renderArchive(root, all, true);
    expect(text).toContain('2026-12-02T07:00:00Z');
    expect(text).toContain('2026-12-02T08:01:40Z');
    expect(text).toContain('date=2026-12-02/hour=08/0-10.avro');
    expect(text).toContain('2 tables, 3 files, 25 changes, 2.0 KiB');
  });

  it('writes sizes in binary units', () => {
    expect([sizeText(0), sizeText(1023), sizeText(1536), sizeText(5 * 1024 ** 3)]).toEqual([
      '0 B',
      '1023 B',
      '1.5 KiB',
      '5.0 GiB',
    ]);
  });
});
