import {
  type ArchiveStorage,
  type BaseManifest,
  baseIdsOf,
  baseManifestKey,
  globToRegExp,
  parseBase,
  splitBases,
} from '@sluice/core';

/** One table of a base backup, as `sluice archive ls` shows it. */
export interface BaseTableSummary {
  db: string;
  table: string;
  rows: number;
  bytes: number;
  files: number;
  /** Per partition, the offset the base read to: the archive from there on follows it. */
  ends: { partition: number; endOffset: string }[];
  /** Source time (ms) of the newest change in the base; null when it holds none. */
  lastSourceTsMs: number | null;
}

/** A base backup (base=<id>/base.json) as `sluice archive ls` shows it. */
export interface BaseSummary {
  id: string;
  createdAtMs: number | null;
  tables: BaseTableSummary[];
  rows: number;
  bytes: number;
  files: number;
  /** Whether retention keeps it: among the newest keepBases (every base without keepBases). */
  kept: boolean;
  /** Why its base.json cannot be read (retention and restore then stop at it). */
  error?: string;
}

/**
 * Every complete base of an archive (those with a base.json), oldest first, with the tables
 * matching the patterns (all without), and which of them retention keeps with keepBases.
 */
export async function summarizeBases(
  storage: ArchiveStorage,
  patterns: string[],
  keepBases: number | undefined,
): Promise<BaseSummary[]> {
  const res = patterns.map(globToRegExp);
  const out: BaseSummary[] = [];
  for (const id of baseIdsOf(await storage.list(''))) {
    const text = (await storage.read(baseManifestKey(id)))?.toString('utf8') ?? '';
    const parsed = parseBase(id, text);
    if ('error' in parsed) {
      out.push({ id, createdAtMs: null, tables: [], rows: 0, bytes: 0, files: 0, kept: true, error: parsed.error });
      continue;
    }
    const m = JSON.parse(text) as BaseManifest;
    const tables = (m.tables ?? [])
      .filter((t) => !res.length || res.some((r) => r.test(`${t.db}.${t.table}`)))
      .map((t) => {
        const times = t.partitions.map((p) => p.lastSourceTsMs).filter((x): x is number => typeof x === 'number');
        return {
          db: t.db,
          table: t.table,
          rows: t.rows ?? 0,
          bytes: t.bytes ?? 0,
          files: t.files?.length ?? 0,
          ends: t.partitions.map((p) => ({ partition: p.partition, endOffset: p.endOffset })),
          lastSourceTsMs: times.length ? Math.max(...times) : null,
        };
      });
    out.push({
      id,
      createdAtMs: parsed.base.createdAtMs,
      tables,
      rows: tables.reduce((n, t) => n + t.rows, 0),
      bytes: tables.reduce((n, t) => n + t.bytes, 0),
      files: tables.reduce((n, t) => n + t.files, 0),
      kept: true,
    });
  }
  const { dropped } = splitBases(
    out.flatMap((b) => (b.createdAtMs === null ? [] : [{ id: b.id, createdAtMs: b.createdAtMs, ends: new Map() }])),
    keepBases,
  );
  const gone = new Set(dropped.map((b) => b.id));
  for (const b of out) b.kept = !gone.has(b.id);
  return out.sort((a, b) => (a.createdAtMs ?? 0) - (b.createdAtMs ?? 0) || a.id.localeCompare(b.id));
}
