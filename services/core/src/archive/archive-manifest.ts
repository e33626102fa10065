import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ARCHIVE_FILE, MANIFEST, TEMP_SUFFIX } from './archive-layout.ts';
import { type ArchiveStorage, fsyncDir } from './archive-storage.ts';
import { BASE_DIR_PREFIX } from './base-manifest.ts';

/** One durable archive file, as the table's manifest (`manifest.jsonl`, one JSON object a line) lists it. */
export interface ManifestEntry {
  /** Relative to the table's directory: `date=YYYY-MM-DD/hour=HH/<partition>-<first offset>.avro`. */
  file: string;
  /** The source's names (the directories are escaped). */
  db: string;
  table: string;
  topic: string;
  partition: number;
  /** Kafka offsets of the first and last record in the file (decimal strings, 64-bit). */
  firstOffset: string;
  lastOffset: string;
  /** Source times (ms, UTC) and positions (GTID or file:pos) of the first and last change. */
  firstSourceTsMs: number;
  lastSourceTsMs: number;
  firstPosition: string;
  lastPosition: string;
  rows: number;
  /** The registry id of the envelope schema every record of the file was written with. */
  schemaId: number;
  bytes: number;
  codec: string;
  /** When the file was made durable (ms). */
  writtenAt: number;
}

/** Writes a whole file durably: a temp name, fsync, rename over the old one, fsync the directory. */
export async function writeFileDurably(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}${TEMP_SUFFIX}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** The manifest's entries; a table without one has none. */
export async function readManifest(tableDir: string): Promise<ManifestEntry[]> {
  let text: string;
  try {
    text = await readFile(join(tableDir, MANIFEST), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseManifest(text);
}

export const manifestText = (entries: ManifestEntry[]): string => entries.map((e) => `${JSON.stringify(e)}\n`).join('');

/** Replaces the manifest durably (writeFileDurably): it names the old entries or the new, never half. */
export const writeManifest = (tableDir: string, entries: ManifestEntry[]): Promise<void> =>
  writeFileDurably(join(tableDir, MANIFEST), manifestText(entries));

/** The table directories under an archive root: `<root>/<db>/<table>`. */
export async function tableDirs(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const db of await dirents(root)) {
    if (!db.isDirectory()) continue;
    for (const t of await dirents(join(root, db.name))) if (t.isDirectory()) out.push(join(root, db.name, t.name));
  }
  return out.sort();
}

async function dirents(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Per topic partition, the offset after the last record in a durable file (what a restart skips to). */
export function archivedEnds(entries: ManifestEntry[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const e of entries) {
    const k = partitionKey(e.topic, e.partition);
    const end = BigInt(e.lastOffset) + 1n;
    if ((out.get(k) ?? -1n) < end) out.set(k, end);
  }
  return out;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}\n${partition}`;

/** Removes a directory tree (tests and tools). */
export const removeTree = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

// The same through an ArchiveStorage (the sink, `sluice archive`, backups and restores):
// `tableKey` is `<db>/<table>` escaped (archiveTableKey).

/** The manifest's entries from its text. */
export const parseManifest = (text: string): ManifestEntry[] =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ManifestEntry);

/** The manifest of a table in a storage; a table without one has none. */
export async function readTableManifest(storage: ArchiveStorage, tableKey: string): Promise<ManifestEntry[]> {
  const data = await storage.read(`${tableKey}/${MANIFEST}`);
  return data ? parseManifest(data.toString('utf8')) : [];
}

/** Replaces a table's manifest (an atomic, durable write: the old entries or the new, never half). */
export const writeTableManifest = (storage: ArchiveStorage, tableKey: string, entries: ManifestEntry[]): Promise<void> =>
  storage.write(`${tableKey}/${MANIFEST}`, manifestText(entries));

/**
 * The table keys (`<db>/<table>`) among a storage's keys: every key of two or more segments
 * outside `base=<id>/` belongs to the table of its first two.
 */
export function tableKeysOf(keys: string[]): string[] {
  const out = new Set<string>();
  for (const k of keys) {
    const parts = k.split('/');
    if (parts.length < 3 || parts[0]?.startsWith(BASE_DIR_PREFIX)) continue;
    out.add(`${parts[0]}/${parts[1]}`);
  }
  return [...out].sort();
}

/** What start-up recovery found and did in a table of a storage. */
export interface TableRecovery {
  entries: ManifestEntry[];
  /** Archive files the manifest does not list (put, then killed before the manifest named them): removed. */
  removedOrphans: string[];
}

/**
 * Brings a table back to what its manifest says, before anything is consumed (docs/backup.md,
 * durability); `keys` are the storage's keys under the table (list(`<table>/`)). A file becomes
 * part of the archive in this order: staged, put (durable), named in the manifest (a durable
 * write), then the Kafka offsets. So an archive file the manifest does not list holds records
 * whose offsets were not committed: removed, they are read and written again. Staged files that
 * were never put are the storage's to clear (clearStaging).
 */
export async function recoverTable(storage: ArchiveStorage, tableKey: string, keys: string[]): Promise<TableRecovery> {
  const entries = await readTableManifest(storage, tableKey);
  const listed = new Set(entries.map((e) => e.file));
  const removedOrphans = keys
    .filter((k) => k.startsWith(`${tableKey}/`))
    .map((k) => k.slice(tableKey.length + 1))
    .filter((f) => ARCHIVE_FILE.test(f) && !listed.has(f));
  await storage.remove(removedOrphans.map((f) => `${tableKey}/${f}`));
  return { entries, removedOrphans };
}
