import { escapeName } from './archive-layout.ts';
import type { ArchiveStorage } from './archive-storage.ts';

/**
 * A base backup (`sluice backup`, docs/backup.md): every record of the selected table topics
 * from their start up to an end offset per partition, in the archive's file format, under
 * `base=<id>/<db>/<table>/<partition>-<first offset>.avro`, with `base=<id>/base.json` written
 * last: a base without it is incomplete and never used. `=` never occurs in an escaped name, so
 * `base=<id>` cannot be a database's directory.
 */
export interface BaseManifest {
  id: string;
  createdAtMs: number;
  topicPrefix: string;
  tables: BaseTable[];
}

export interface BaseTable {
  db: string;
  table: string;
  topic: string;
  /** The registry ids of the envelope schemas the files were written with. */
  schemaIds: number[];
  rows: number;
  bytes: number;
  /** Keys of the files (relative to the archive root), in partition and offset order. */
  files: string[];
  partitions: BasePartition[];
}

export interface BasePartition {
  partition: number;
  /**
   * The offset the base read the partition to (decimal): every record below it that the topic
   * held is in the base, and the archive's records from it on follow the base.
   */
  endOffset: string;
  /** Source time (ms) and position of the last change in the base (null: the partition was empty). */
  lastSourceTsMs: number | null;
  lastPosition: string | null;
  /**
   * The newest GTID among the partition's changes, and the last change's binlog file:pos: a
   * position cut compares with the one of its kind (DDL markers and snapshot rows have no GTID).
   */
  lastGtid?: string | null;
  lastFilePos?: string | null;
}

export const BASE_DIR_PREFIX = 'base=';
export const BASE_MANIFEST = 'base.json';

/** A new base id: the UTC time, sortable, with no character that needs escaping. */
export const newBaseId = (now = new Date()): string => now.toISOString().replace(/[-:.]/g, '');

export const baseManifestKey = (id: string): string => `${BASE_DIR_PREFIX}${id}/${BASE_MANIFEST}`;

export const baseFileKey = (id: string, db: string, table: string, partition: number, firstOffset: string): string =>
  `${BASE_DIR_PREFIX}${id}/${escapeName(db)}/${escapeName(table)}/${partition}-${firstOffset}.avro`;

/** The complete bases of an archive (those with a base.json), oldest first. */
export async function listBases(storage: ArchiveStorage): Promise<BaseManifest[]> {
  const keys = (await storage.list('')).filter(
    (k) => k.startsWith(BASE_DIR_PREFIX) && k.split('/').length === 2 && k.endsWith(`/${BASE_MANIFEST}`),
  );
  const out: BaseManifest[] = [];
  for (const k of keys) {
    const data = await storage.read(k);
    if (data) out.push(JSON.parse(data.toString('utf8')) as BaseManifest);
  }
  return out.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
}
