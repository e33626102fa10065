import type { ManifestEntry } from '@sluice/core';

/**
 * A table's manifest as the sink writes it at a file close (docs/backup.md, one writer): the
 * stored manifest, not the sink's memory, is the base, so entries another writer took out
 * (`sluice archive prune`) stay out; minus the files this sink's own retention removed (a prune
 * that read the manifest before them may have written them back); plus the closing file.
 */
export function mergeManifest(stored: ManifestEntry[], removed: ReadonlySet<string>, added?: ManifestEntry): ManifestEntry[] {
  const out = stored.filter((e) => !removed.has(e.file) && e.file !== added?.file);
  if (added) out.push(added);
  return out;
}

/** Files the sink listed that the stored manifest no longer does (taken out by another writer). */
export const dropped = (memory: ManifestEntry[], stored: ManifestEntry[]): string[] => {
  const names = new Set(stored.map((e) => e.file));
  return memory.filter((e) => !names.has(e.file)).map((e) => e.file);
};
