import {
  type BaseManifest,
  type BasePartition,
  type BaseTable,
  globToRegExp,
  type ManifestEntry,
  SluiceError,
} from '@sluice/core';
import { describeCut, type RestoreCut, withinCut } from './cut.ts';

/** An archive file as its table's manifest lists it, with its key relative to the archive root (`<db>/<table>/date=…/hour=…/<p>-<o>.avro`). */
export type ArchivedFile = Omit<ManifestEntry, 'file' | 'codec' | 'writtenAt'> & { key: string };

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
  /** Not in the base (created after it): restored from an empty base, its archive from offset 0 of every partition. */
  afterBase: boolean;
}

/** A selected table the plan leaves out, and why (the report says so). */
export interface LeftOut {
  table: string;
  reason: string;
}

export interface RestorePlan {
  base: BaseManifest;
  cut: RestoreCut;
  tables: TablePlan[];
  leftOut: LeftOut[];
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
    return { db: t.db, table: t.table, topic: t.topic, base: t, partitions, archiveRows: rowsOf(partitions), afterBase: false };
  });
  const later = tablesAfterBase({ base: chosen.b, archive: opts.archive, byPartition, cut, selected, patterns: opts.tables });
  tables.push(...later.tables);
  const files = tables.flatMap((t) => t.partitions.flatMap((p) => p.files));
  return {
    base: chosen.b,
    cut,
    tables,
    leftOut: later.leftOut,
    baseRows: tables.reduce((n, t) => n + t.base.rows, 0),
    baseFiles: tables.reduce((n, t) => n + t.base.files.length, 0),
    archiveRows: files.reduce((n, f) => n + f.rows, 0),
    archiveFiles: files.length,
    bytes: tables.reduce((n, t) => n + t.base.bytes, 0) + files.reduce((n, f) => n + f.bytes, 0),
  };
}

const rowsOf = (partitions: PartitionPlan[]): number =>
  partitions.reduce((n, p) => n + p.files.reduce((m, f) => m + f.rows, 0), 0);

/**
 * Selected tables the archive holds but the base does not (created after it, or left out of
 * it): restorable from an empty base when the archive reaches back to the start of each of their
 * partitions (a first file at offset 0: the topic's first record). One whose archive does not
 * is refused (RESTORE_GAP), unless --tables was given and names it by no exact pattern: then it
 * is left out, with a line in the report. A table with no change at or before the cut is left
 * out (it did not exist yet, or held nothing).
 */
function tablesAfterBase(opts: {
  base: BaseManifest;
  archive: ArchivedFile[];
  byPartition: Map<string, ArchivedFile[]>;
  cut: RestoreCut;
  selected: (db: string, table: string) => boolean;
  patterns: string[];
}): { tables: TablePlan[]; leftOut: LeftOut[] } {
  const inBase = new Set(opts.base.tables.map((t) => `${t.db}.${t.table}`));
  // A topic the base holds is restored with its base table, whatever names its records carry
  // (a marker of a temporary name in a rename swap is on the old name's topic, filed under the
  // temporary name): read again as a table of its own, it would be applied twice.
  const baseTopics = new Set(opts.base.tables.map((t) => t.topic));
  const candidates = new Map<string, { db: string; table: string; topic: string; partitions: Set<number> }>();
  for (const f of [...opts.archive].sort((a, b) => cmp(a.firstOffset, b.firstOffset))) {
    const name = `${f.db}.${f.table}`;
    if (baseTopics.has(f.topic) || inBase.has(name) || !opts.selected(f.db, f.table)) continue;
    // One candidate a topic, named by its first file's table.
    const k = f.topic;
    const c = candidates.get(k) ?? { db: f.db, table: f.table, topic: f.topic, partitions: new Set<number>() };
    c.partitions.add(f.partition);
    candidates.set(k, c);
  }
  const tables: TablePlan[] = [];
  const leftOut: LeftOut[] = [];
  for (const c of [...candidates.values()].sort((a, b) => `${a.db}.${a.table}`.localeCompare(`${b.db}.${b.table}`))) {
    const name = `${c.db}.${c.table}`;
    const parts = [...c.partitions]
      .sort((a, b) => a - b)
      .map((partition) => {
        const all = (opts.byPartition.get(`${c.topic}\n${partition}`) ?? []).sort((a, b) => cmp(a.firstOffset, b.firstOffset));
        return {
          partition,
          first: all[0]?.firstOffset ?? '0',
          files: all.filter((f) => withinCut(opts.cut, f.firstSourceTsMs, f.firstPosition) !== false),
        };
      });
    if (parts.every((p) => p.files.length === 0)) {
      leftOut.push({
        table: name,
        reason: `not in base ${opts.base.id} and no change of it at or before ${describeCut(opts.cut)}`,
      });
      continue;
    }
    const late = parts.filter((p) => p.first !== '0');
    if (late.length) {
      const why =
        `${name} is not in base ${opts.base.id} and its archive does not reach back to the start of its topic ${c.topic} ` +
        `(${late.map((p) => `partition ${p.partition} starts at offset ${p.first}`).join(', ')}): changes before may be missing`;
      const named = opts.patterns.some((p) => p === name);
      if (!opts.patterns.length || named) {
        throw new SluiceError('RESTORE_GAP', `${why}; take a base that holds it (sluice backup), or leave it out with --tables`);
      }
      leftOut.push({ table: name, reason: why });
      continue;
    }
    const partitions = parts.map((p): PartitionPlan => ({ partition: p.partition, fromOffset: '0', files: p.files }));
    const base: BaseTable = {
      db: c.db,
      table: c.table,
      topic: c.topic,
      schemaIds: [],
      rows: 0,
      bytes: 0,
      files: [],
      partitions: partitions.map((p) => ({ partition: p.partition, endOffset: '0', lastSourceTsMs: null, lastPosition: null })),
    };
    tables.push({ db: c.db, table: c.table, topic: c.topic, base, partitions, archiveRows: rowsOf(partitions), afterBase: true });
  }
  return { tables, leftOut };
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
