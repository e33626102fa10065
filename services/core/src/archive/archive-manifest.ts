import { open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ARCHIVE_FILE, MANIFEST, TEMP_SUFFIX } from './archive-layout.ts';
import { fsyncDir } from './archive-storage.ts';

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
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ManifestEntry);
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

/** Every file under a directory, relative to it, with `/` separators. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
  }
  return out.sort();
}

/** What start-up recovery found and did in a table's directory. */
export interface Recovery {
  entries: ManifestEntry[];
  /** Temp files of writes that never finished: removed. */
  removedTemps: string[];
  /** Archive files the manifest does not list (renamed, then killed before the manifest named them): removed. */
  removedOrphans: string[];
}

/**
 * Brings a table's directory back to what its manifest says, before anything is consumed
 * (docs/backup.md, durability). Files become durable in this order: temp file, fsync, rename,
 * fsync of the directory, manifest (the same way), then the Kafka offsets. So after a crash:
 * a temp file never became part of the archive (removed); a renamed file the manifest does not
 * list holds records whose offsets were not committed either (removed: they are read and
 * written again); a file the manifest lists is whole, and records up to its last offset are
 * skipped when read again, committed or not. Nothing is lost and nothing is kept twice.
 */
export async function recoverTableDir(dir: string): Promise<Recovery> {
  const entries = await readManifest(dir);
  const listed = new Set(entries.map((e) => e.file));
  const removedTemps: string[] = [];
  const removedOrphans: string[] = [];
  for (const f of await filesUnder(dir)) {
    if (f.endsWith(TEMP_SUFFIX)) {
      await unlink(join(dir, f));
      removedTemps.push(f);
    } else if (ARCHIVE_FILE.test(f) && !listed.has(f)) {
      await unlink(join(dir, f));
      removedOrphans.push(f);
    }
  }
  // The removals are made durable before new files take their names.
  const touched = new Set([...removedTemps, ...removedOrphans].map((f) => dirname(join(dir, f))));
  for (const d of touched) await fsyncDir(d);
  return { entries, removedTemps, removedOrphans };
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
