import { type ArchiveStorage, BASE_DIR_PREFIX, MANIFEST } from '@sluice/core';
import type { ArchivedFile } from './plan.ts';

/**
 * Every archive file the archive's manifests list (`<db>/<table>/manifest.jsonl`, one JSON
 * object a line), read through the storage port; keys relative to the archive root. Bases
 * (`base=<id>/…`) are not archive files.
 */
export async function readArchiveIndex(storage: ArchiveStorage): Promise<ArchivedFile[]> {
  const manifests = (await storage.list('')).filter((k) => {
    const parts = k.split('/');
    return parts.length === 3 && parts[2] === MANIFEST && !k.startsWith(BASE_DIR_PREFIX);
  });
  const out: ArchivedFile[] = [];
  for (const m of manifests) {
    const dir = m.slice(0, -MANIFEST.length);
    const text = (await storage.read(m))?.toString('utf8') ?? '';
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as Omit<ArchivedFile, 'key'> & { file: string };
      out.push({ ...e, key: `${dir}${e.file}` });
    }
  }
  return out;
}
