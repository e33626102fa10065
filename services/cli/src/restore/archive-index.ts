import { type ArchiveStorage, readTableManifest, tableKeysOf } from '@sluice/core';
import type { ArchivedFile } from './plan.ts';

/**
 * Every archive file the archive's manifests list (`<db>/<table>/manifest.jsonl`), read through
 * the storage port; keys relative to the archive root. Bases (`base=<id>/…`) are not archive files.
 */
export async function readArchiveIndex(storage: ArchiveStorage): Promise<ArchivedFile[]> {
  const out: ArchivedFile[] = [];
  for (const table of tableKeysOf(await storage.list(''))) {
    for (const e of await readTableManifest(storage, table)) out.push({ ...e, key: `${table}/${e.file}` });
  }
  return out;
}
