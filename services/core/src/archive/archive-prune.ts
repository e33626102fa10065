import { type BaseInfo, type FoundBase, readBases } from './archive-bases.ts';
import { type ManifestEntry, readTableManifest, tableKeysOf, writeTableManifest } from './archive-manifest.ts';
import { expiredFiles, type Retention, splitBases } from './archive-retention.ts';
import type { ArchiveStorage } from './archive-storage.ts';
import { BASE_DIR_PREFIX, baseManifestKey } from './base-manifest.ts';

/**
 * Takes files out of a table's archive: first out of its manifest (a durable write), then out of
 * the storage. Never the other way round: a crash between the two leaves files the manifest does
 * not list (start-up recovery and the next prune remove them), never a listed file that is gone.
 * Returns the manifest's remaining entries.
 */
export async function removeArchiveFiles(
  storage: ArchiveStorage,
  tableKey: string,
  entries: ManifestEntry[],
  gone: ManifestEntry[],
): Promise<ManifestEntry[]> {
  if (!gone.length) return entries;
  const drop = new Set(gone.map((e) => e.file));
  const kept = entries.filter((e) => !drop.has(e.file));
  await writeTableManifest(storage, tableKey, kept);
  await storage.remove(gone.map((e) => `${tableKey}/${e.file}`));
  return kept;
}

/**
 * Removes a base backup: its base.json first (from then on it is no base, and nothing counts on
 * it), then its other objects.
 */
export async function removeBase(storage: ArchiveStorage, id: string, keys: string[]): Promise<void> {
  await storage.remove([baseManifestKey(id)]);
  await storage.remove(keys.filter((k) => k.startsWith(`${BASE_DIR_PREFIX}${id}/`) && k !== baseManifestKey(id)));
}

/** The bases retention counts with; refuses (returns the reason) when one cannot be read. */
export function usableBases(found: FoundBase[]): { bases: BaseInfo[] } | { refused: string } {
  const bad = found.filter((b): b is { id: string; error: string } => 'error' in b);
  if (bad.length) {
    return {
      refused: `base ${bad.map((b) => `${b.id} (${b.error})`).join(', ')} cannot be read, so what it needs is not known: nothing is removed until it is fixed or removed`,
    };
  }
  return { bases: found.flatMap((b) => ('base' in b ? [b.base] : [])) };
}

/** What a prune removed (or, dry, would remove). */
export interface PrunePlan {
  files: { table: string; entries: ManifestEntry[] }[];
  bases: BaseInfo[];
  kept: BaseInfo[];
  refused?: string;
}

/**
 * Applies retention to a whole archive (`sluice archive prune`): archive files older than
 * archiveDays that no kept base needs, then bases beyond keepBases (after the files, so that the
 * files are judged against the bases that stay). `dryRun` only plans.
 */
export async function pruneArchive(
  storage: ArchiveStorage,
  retention: Retention,
  opts: { nowMs?: number; dryRun?: boolean } = {},
): Promise<PrunePlan> {
  const keys = await storage.list('');
  const usable = usableBases(await readBases(storage, keys));
  if ('refused' in usable) return { files: [], bases: [], kept: [], refused: usable.refused };
  const { kept, dropped } = splitBases(usable.bases, retention.keepBases);
  const plan: PrunePlan = { files: [], bases: dropped, kept };
  for (const table of tableKeysOf(keys)) {
    const entries = await readTableManifest(storage, table);
    const gone = expiredFiles(entries, { nowMs: opts.nowMs ?? Date.now(), retention, kept });
    if (!gone.length) continue;
    plan.files.push({ table, entries: gone });
    if (!opts.dryRun) await removeArchiveFiles(storage, table, entries, gone);
  }
  if (!opts.dryRun) for (const b of dropped) await removeBase(storage, b.id, keys);
  return plan;
}
