import { type BaseManifest, type BasePartition, type BaseTable, globToRegExp, SluiceError } from '@sluice/core';
import { describeCut, type RestoreCut, withinCut } from './cut.ts';

/** An archive file as its table's manifest lists it (the fields a restore plan reads). */
export interface ArchivedFile {
  /** The file's key relative to the archive root (`<db>/<table>/date=…/hour=…/<p>-<o>.avro`). */
  key: string;
  db: string;
  table: string;
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  firstSourceTsMs: number;
  lastSourceTsMs: number;
  firstPosition: string;
  lastPosition: string;
  rows: number;
  bytes: number;
  schemaId: number;
}

export interface PartitionPlan {
  partition: number;
  /** Archived records from this offset on follow the base (BasePartition.endOffset). */
  fromOffset: string;
  /** The archive files holding records from fromOffset up to the cut, in offset order. */
  files: ArchivedFile[];
}

export interface TablePlan {
  db: string;
  table: string;
  topic: string;
  base: BaseTable;
  partitions: PartitionPlan[];
  /** Rows in the archive files to read (an upper bound of the changes replayed: files are cut at both ends). */
  archiveRows: number;
}

export interface RestorePlan {
  base: BaseManifest;
  cut: RestoreCut;
  tables: TablePlan[];
  baseRows: number;
  baseFiles: number;
  archiveRows: number;
  archiveFiles: number;
  bytes: number;
}

const selector = (patterns: string[]) => {
  const res = patterns.map(globToRegExp);
  return (db: string, table: string) => res.length === 0 || res.some((r) => r.test(`${db}.${table}`));
};

/** Whether a base partition's last change is inside the cut (an empty partition always is). */
function partitionBefore(p: BasePartition, cut: RestoreCut): boolean {
  if (p.lastSourceTsMs === null) return true;
  const inside = withinCut(cut, p.lastSourceTsMs, p.lastGtid ?? p.lastPosition ?? '', p.lastFilePos ?? undefined);
  // No GTID in the partition at all (snapshot rows, markers only): they precede every GTID change.
  return inside === true || (inside === undefined && cut.kind === 'position' && p.lastGtid === null);
}

/**
 * The restore plan (pure): the newest complete base whose selected tables' changes all precede
 * the cut, and per table partition the archive files after the base's end offset up to the cut.
 * Refuses (RESTORE_NO_BASE, RESTORE_GAP) when no base fits, when a partition's archive starts
 * after the base's end (changes in between may be missing), or when the archive does not reach
 * past the cut (changes up to it may not be archived yet).
 */
export function planRestore(opts: {
  bases: BaseManifest[];
  archive: ArchivedFile[];
  cut: RestoreCut;
  tables: string[];
}): RestorePlan {
  const { cut } = opts;
  const selected = selector(opts.tables);
  const fits = opts.bases
    .map((b) => ({ b, tables: b.tables.filter((t) => selected(t.db, t.table)) }))
    .filter(({ tables }) => tables.length > 0)
    .filter(({ tables }) => tables.every((t) => t.partitions.every((p) => partitionBefore(p, cut))))
    .sort((x, y) => y.b.createdAtMs - x.b.createdAtMs || y.b.id.localeCompare(x.b.id));
  const chosen = fits[0];
  if (!chosen) {
    const what = opts.tables.length ? ` of ${opts.tables.join(', ')}` : '';
    throw new SluiceError(
      'RESTORE_NO_BASE',
      `no complete base backup${what} has all its changes at or before ${describeCut(cut)} ` +
        `(${opts.bases.length} base${opts.bases.length === 1 ? '' : 's'} under the archive)`,
    );
  }
  const newest = newestArchived(opts.archive, cut);
  if (!newest.reaches) {
    throw new SluiceError(
      'RESTORE_GAP',
      `the archive does not reach past ${describeCut(cut)}: its newest change is ${newest.describe}; ` +
        'changes up to that point may not be archived yet',
    );
  }
  const byPartition = new Map<string, ArchivedFile[]>();
  for (const f of opts.archive) {
    const k = `${f.topic}\n${f.partition}`;
    byPartition.set(k, [...(byPartition.get(k) ?? []), f]);
  }
  const tables: TablePlan[] = chosen.tables.map((t) => {
    const partitions = t.partitions.map((p): PartitionPlan => {
      const all = (byPartition.get(`${t.topic}\n${p.partition}`) ?? []).sort((a, b) => cmp(a.firstOffset, b.firstOffset));
      const end = BigInt(p.endOffset);
      const first = all[0];
      // The archive must start at or before the base's end: records between could be missing otherwise.
      if (first ? BigInt(first.firstOffset) > end : p.lastSourceTsMs !== null) {
        throw new SluiceError(
          'RESTORE_GAP',
          `${t.db}.${t.table} (topic ${t.topic} partition ${p.partition}): the base ${chosen.b.id} ends at offset ${p.endOffset}` +
            ` but the archive ${first ? `starts at offset ${first.firstOffset}` : 'holds nothing of it'}: changes in between may be missing`,
        );
      }
      const files = all.filter(
        (f) => BigInt(f.lastOffset) >= end && withinCut(cut, f.firstSourceTsMs, f.firstPosition) !== false,
      );
      return { partition: p.partition, fromOffset: p.endOffset, files };
    });
    const archiveRows = partitions.reduce((n, p) => n + p.files.reduce((m, f) => m + f.rows, 0), 0);
    return { db: t.db, table: t.table, topic: t.topic, base: t, partitions, archiveRows };
  });
  const files = tables.flatMap((t) => t.partitions.flatMap((p) => p.files));
  return {
    base: chosen.b,
    cut,
    tables,
    baseRows: tables.reduce((n, t) => n + t.base.rows, 0),
    baseFiles: tables.reduce((n, t) => n + t.base.files.length, 0),
    archiveRows: files.reduce((n, f) => n + f.rows, 0),
    archiveFiles: files.length,
    bytes: tables.reduce((n, t) => n + t.base.bytes, 0) + files.reduce((n, f) => n + f.bytes, 0),
  };
}

const cmp = (a: string, b: string): number => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** Whether some archived change lies after the cut: only then are all changes up to it archived. */
function newestArchived(archive: ArchivedFile[], cut: RestoreCut): { reaches: boolean; describe: string } {
  if (!archive.length) return { reaches: false, describe: 'none (the archive is empty)' };
  if (cut.kind === 'time') {
    const ts = Math.max(...archive.map((f) => f.lastSourceTsMs));
    return { reaches: ts > cut.tsMs, describe: `at ${new Date(ts).toISOString()}` };
  }
  const after = archive.some((f) => withinCut(cut, 0, f.lastPosition) === false);
  const comparable = archive.filter((f) => withinCut(cut, 0, f.lastPosition) !== undefined);
  const last = comparable.sort((a, b) => b.lastSourceTsMs - a.lastSourceTsMs)[0];
  return { reaches: after, describe: last ? `at position ${last.lastPosition}` : 'at positions that cannot be compared with it' };
}
