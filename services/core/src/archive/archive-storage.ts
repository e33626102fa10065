import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { TEMP_SUFFIX } from './archive-layout.ts';

/**
 * Where the archive keeps its objects (archive files, manifests, base backups): the one port
 * between the archive (sink, backup, restore, `archive ls`, retention) and a storage kind. Keys
 * are `/`-separated paths relative to the archive's root (`<db>/<table>/manifest.jsonl`, ...).
 * Every write is whole and atomic: a reader sees the old object or the new one, never a part,
 * and once a write returns it survives a crash of this process and of the machine.
 */
export interface ArchiveStorage {
  /** Where the archive is, for messages (never with credentials). */
  readonly location: string;
  /** Every key under a prefix (`''` for all), sorted; a prefix names whole path segments (`db/t/`). */
  list(prefix: string): Promise<string[]>;
  /** An object's bytes; undefined when there is none. */
  read(key: string): Promise<Buffer | undefined>;
  /** An object's bytes as a stream (archive files and bases are large). */
  stream(key: string): Promise<Readable>;
  /** Writes a (small) object whole. */
  write(key: string, data: Buffer | string): Promise<void>;
  /**
   * A local path to write the object `key` to before it is put (staging): for a local archive a
   * temp name beside its final place, so the put is a rename; for an object store a file in a
   * local staging directory. Its directory exists.
   */
  staging(key: string): Promise<string>;
  /** Puts a finished local file (from staging()) as the object `key`; the local file is gone afterwards. */
  put(key: string, localPath: string): Promise<void>;
  /** Removes objects (missing ones are no error). */
  remove(keys: string[]): Promise<void>;
  /** Removes what staging() left that was never put (start-up, after a crash); returns the keys. */
  clearStaging(): Promise<string[]>;
  /** Lets go of connections (an object store's client), so a command can end; optional. */
  close?(): Promise<void>;
}

/** fsync of a directory: a rename or a new entry in it survives a crash only after this. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** mkdir -p whose new directories are fsynced into their parents (so files put in them survive a crash). */
export async function mkdirDurably(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (!created) return;
  for (let d = dir; ; d = dirname(d)) {
    await fsyncDir(dirname(d));
    if (d === created) break;
  }
}

const enoent = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The archive in a local directory: temp name, fsync, rename, fsync of the directory. */
export class LocalArchiveStorage implements ArchiveStorage {
  readonly location: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
    this.location = root;
  }

  private path(key: string): string {
    if (key.split('/').some((s) => s === '..' || s === '.')) throw new Error(`archive key ${key} leaves the archive`);
    return join(this.root, ...key.split('/'));
  }

  async list(prefix: string): Promise<string[]> {
    // '' is the whole archive (path() refuses '.' as a key segment).
    const dir = prefix.replace(/\/$/, '');
    const base = dir ? this.path(dir) : this.root;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(base, { withFileTypes: true, recursive: true });
    } catch (err) {
      if (enoent(err)) return [];
      throw err;
    }
    const out: string[] = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      const key = relative(this.root, join(e.parentPath, e.name)).split(sep).join('/');
      if (!key.endsWith(TEMP_SUFFIX)) out.push(key);
    }
    return out.sort();
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if (enoent(err)) return undefined;
      throw err;
    }
  }

  async stream(key: string): Promise<Readable> {
    return createReadStream(this.path(key));
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    const tmp = await this.staging(key);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.put(key, tmp);
  }

  async staging(key: string): Promise<string> {
    const path = this.path(key);
    await mkdirDurably(dirname(path));
    return `${path}${TEMP_SUFFIX}`;
  }

  async put(key: string, localPath: string): Promise<void> {
    const path = this.path(key);
    await mkdirDurably(dirname(path));
    const fh = await open(localPath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(localPath, path);
    await fsyncDir(dirname(path));
  }

  async remove(keys: string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const path = this.path(key);
      try {
        await unlink(path);
        dirs.add(dirname(path));
      } catch (err) {
        if (!enoent(err)) throw err;
      }
    }
    for (const d of dirs) await fsyncDir(d);
  }

  async clearStaging(): Promise<string[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(this.root, { withFileTypes: true, recursive: true });
    } catch (err) {
      if (enoent(err)) return [];
      throw err;
    }
    const removed: string[] = [];
    const dirs = new Set<string>();
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith(TEMP_SUFFIX)) continue;
      const path = join(e.parentPath, e.name);
      await unlink(path);
      dirs.add(e.parentPath);
      removed.push(relative(this.root, path).split(sep).join('/').slice(0, -TEMP_SUFFIX.length));
    }
    for (const d of dirs) await fsyncDir(d);
    return removed.sort();
  }
}
