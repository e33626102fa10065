import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTree } from './archive-manifest.ts';
import { LocalArchiveStorage } from './archive-storage.ts';
import { archiveStorageError } from './archive-storage-error.ts';

const roots: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'archive-storage-'));
  roots.push(d);
  return d;
};
afterAll(() => Promise.all(roots.map((d) => removeTree(d))));

const all = async (dir: string) => (await readdir(dir, { recursive: true })).sort();

describe('LocalArchiveStorage', () => {
  it('writes whole objects, reads and streams them back, lists by prefix (sorted, no temp files)', async () => {
    const root = temp();
    const s = new LocalArchiveStorage(join(root, 'archive'));
    expect(await s.list('')).toEqual([]);
    expect(await s.read('db/t/manifest.jsonl')).toBeUndefined();
    await s.write('db/t/manifest.jsonl', 'a\n');
    await s.write('db/t/manifest.jsonl', 'b\n');
    await s.write('db/u/x.avro', Buffer.from([1, 2, 3]));
    await s.write('base=1/base.json', '{}');
    writeFileSync(join(root, 'archive/db/t/half.avro.tmp'), 'x');
    expect(String(await s.read('db/t/manifest.jsonl'))).toBe('b\n');
    expect(await s.list('')).toEqual(['base=1/base.json', 'db/t/manifest.jsonl', 'db/u/x.avro']);
    expect(await s.list('db/t/')).toEqual(['db/t/manifest.jsonl']);
    expect(await s.list('db/none/')).toEqual([]);
    const chunks: Buffer[] = [];
    for await (const c of await s.stream('db/u/x.avro')) chunks.push(c as Buffer);
    expect([...Buffer.concat(chunks)]).toEqual([1, 2, 3]);
  });

  it('puts a staged file under its key (the staging name is gone), removes, and clears what was never put', async () => {
    const root = temp();
    const s = new LocalArchiveStorage(root);
    const staged = await s.staging('db/t/date=2026-01-01/hour=00/0-0.avro');
    expect(staged.endsWith('.tmp')).toBe(true);
    writeFileSync(staged, 'file');
    await s.put('db/t/date=2026-01-01/hour=00/0-0.avro', staged);
    expect(readFileSync(join(root, 'db/t/date=2026-01-01/hour=00/0-0.avro'), 'utf8')).toBe('file');
    expect(await all(root)).not.toContain('db/t/date=2026-01-01/hour=00/0-0.avro.tmp');
    writeFileSync(await s.staging('db/t/date=2026-01-01/hour=00/0-5.avro'), 'killed before the put');
    expect(await s.clearStaging()).toEqual(['db/t/date=2026-01-01/hour=00/0-5.avro']);
    await s.remove(['db/t/date=2026-01-01/hour=00/0-0.avro', 'db/t/missing.avro']);
    expect(await s.list('')).toEqual([]);
  });

  it('refuses keys that leave the archive', async () => {
    const s = new LocalArchiveStorage(temp());
    await expect(s.write('../x', 'no')).rejects.toThrow(/leaves the archive/);
    await expect(s.read('db/../../x')).rejects.toThrow(/leaves the archive/);
  });
});

describe('archiveStorageError', () => {
  it('makes a permission error final and a full disk one retriable, naming the archive', () => {
    const e = (code: string) => Object.assign(new Error(`${code}: open '/a/x'`), { code });
    expect([archiveStorageError(e('EACCES'), '/a').code, archiveStorageError(e('EACCES'), '/a').retriable]).toEqual([
      'ARCHIVE_STORAGE_REFUSED',
      false,
    ]);
    const full = archiveStorageError(e('ENOSPC'), '/a');
    expect([full.code, full.retriable, full.message]).toEqual(['ARCHIVE_STORAGE', true, "archive at /a: ENOSPC: open '/a/x'"]);
  });
});
