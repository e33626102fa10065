import type { BaseInfo } from './archive-bases.ts';
import { type ManifestEntry, partitionKey } from './archive-manifest.ts';

/** How long the archive keeps files and how many base backups (docs/backup.md, retention). */
export interface Retention {
  /** Archive files whose newest change (source time) is older than this many days may go. */
  archiveDays?: number;
  /** The newest this many bases are kept (and protect the files after them); older ones go (`sluice archive prune`). */
  keepBases?: number;
}

const DAY_MS = 86_400_000;

/** The bases kept (newest first, keepBases of them; all without keepBases) and the ones beyond. */
export function splitBases(bases: BaseInfo[], keepBases: number | undefined): { kept: BaseInfo[]; dropped: BaseInfo[] } {
  const newest = [...bases].sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? 1 : -1));
  if (keepBases === undefined) return { kept: newest, dropped: [] };
  return { kept: newest.slice(0, keepBases), dropped: newest.slice(keepBases) };
}

/**
 * The files of one table's manifest that retention removes: older than archiveDays (by the
 * source time of their newest change) and needed by no kept base. A kept base needs every file of
 * a partition it holds whose records reach its end offset or beyond (lastOffset >= end): those
 * are what a restore replays on top of it. A partition's newest file always stays, so the
 * manifest keeps saying where the archive of that partition ends (what a restarted sink skips
 * to, even after the group's offsets expired). Without archiveDays nothing goes.
 */
export function expiredFiles(
  entries: ManifestEntry[],
  opts: { nowMs: number; retention: Retention; kept: BaseInfo[] },
): ManifestEntry[] {
  const { archiveDays } = opts.retention;
  if (archiveDays === undefined) return [];
  const cutoff = opts.nowMs - archiveDays * DAY_MS;
  const newest = new Map<string, bigint>();
  for (const e of entries) {
    const k = partitionKey(e.topic, e.partition);
    const last = BigInt(e.lastOffset);
    if ((newest.get(k) ?? -1n) < last) newest.set(k, last);
  }
  return entries.filter((e) => {
    const k = partitionKey(e.topic, e.partition);
    const last = BigInt(e.lastOffset);
    if (e.lastSourceTsMs >= cutoff || newest.get(k) === last) return false;
    return !opts.kept.some((b) => {
      const end = b.ends.get(k);
      return end !== undefined && last >= end;
    });
  });
}
