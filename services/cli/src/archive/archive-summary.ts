import { type ArchiveStorage, globToRegExp, type ManifestEntry, readTableManifest, tableKeysOf } from '@sluice/core';

/** What the archive keeps of one table (from its manifest). */
export interface ArchivedTable {
  db: string;
  table: string;
  /** The table's key (directory) in the archive: `<db>/<table>` escaped. */
  dir: string;
  files: number;
  rows: number;
  bytes: number;
  /** Source times (ms, UTC) of the first and last change kept; null without files. */
  from: number | null;
  to: number | null;
  /** Registry ids of the envelope schema versions, in the order their first file starts. */
  schemaIds: number[];
  partitions: number[];
  /** Hour windows (`date=.../hour=..`) holding files. */
  hours: number;
  entries: ManifestEntry[];
}

/** One table's summary from its manifest entries. */
export function summarizeTable(dir: string, entries: ManifestEntry[]): ArchivedTable {
  const sorted = [...entries].sort((a, b) => a.firstSourceTsMs - b.firstSourceTsMs || a.partition - b.partition);
  const ids: number[] = [];
  for (const e of sorted) if (!ids.includes(e.schemaId)) ids.push(e.schemaId);
  const first = sorted[0];
  return {
    db: first?.db ?? '',
    table: first?.table ?? '',
    dir,
    files: entries.length,
    rows: entries.reduce((n, e) => n + e.rows, 0),
    bytes: entries.reduce((n, e) => n + e.bytes, 0),
    from: entries.length ? Math.min(...entries.map((e) => e.firstSourceTsMs)) : null,
    to: entries.length ? Math.max(...entries.map((e) => e.lastSourceTsMs)) : null,
    schemaIds: ids,
    partitions: [...new Set(entries.map((e) => e.partition))].sort((a, b) => a - b),
    hours: new Set(entries.map((e) => e.file.split('/').slice(0, 2).join('/'))).size,
    entries: sorted,
  };
}

/** Every table of an archive whose `<db>.<table>` matches one of the patterns (all without). */
export async function summarizeArchive(storage: ArchiveStorage, patterns: string[]): Promise<ArchivedTable[]> {
  const res = patterns.map(globToRegExp);
  const out: ArchivedTable[] = [];
  for (const key of tableKeysOf(await storage.list(''))) {
    const entries = await readTableManifest(storage, key);
    if (!entries.length) continue;
    const t = summarizeTable(key, entries);
    if (res.length && !res.some((r) => r.test(`${t.db}.${t.table}`))) continue;
    out.push(t);
  }
  return out.sort((a, b) => `${a.db}.${a.table}`.localeCompare(`${b.db}.${b.table}`));
}
