import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * Where the archive sink puts a table's files (docs/backup.md):
 * `<root>/<db>/<table>/date=YYYY-MM-DD/hour=HH/<partition>-<first offset>.avro`, the hour of the
 * change's source time (UTC), with the table's manifest at `<root>/<db>/<table>/manifest.jsonl`.
 */

/** Characters a directory name keeps as they are; every other byte is written %XX. */
const SAFE = /^[A-Za-z0-9_-]$/;
/** Longest escaped name kept whole (bytes; file systems take 255). */
const MAX_NAME = 120;

/**
 * A database or table name as one directory name on any file system: ASCII letters, digits, `_`
 * and `-` stay, every other character becomes its UTF-8 bytes as `%XX` (so `.`, `..`, `/`, NUL, a
 * leading dot and `%` itself never appear raw, and two names never share a directory). An escaped
 * name over 120 bytes (64 characters of 4-byte UTF-8 take 768) keeps its first 100 and ends in
 * `~` and 16 hex digits of the name's SHA-256 (`~` is escaped everywhere else, so the two forms
 * cannot meet). The real names are in the manifest.
 */
export function escapeName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (SAFE.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length <= MAX_NAME) return out;
  // Cut at a whole escape: never in the middle of %XX.
  let cut = 100;
  while (cut > 0 && out.lastIndexOf('%', cut - 1) > cut - 3) cut = out.lastIndexOf('%', cut - 1);
  return `${out.slice(0, cut)}~${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16)}`;
}

/** The inverse of escapeName for names it kept whole; undefined for hashed ones (read the manifest). */
export function unescapeName(escaped: string): string | undefined {
  if (escaped.includes('~')) return undefined;
  try {
    return decodeURIComponent(escaped);
  } catch {
    return undefined;
  }
}

/** A table's directory under the archive root. */
export const tableDir = (root: string, db: string, table: string): string => join(root, escapeName(db), escapeName(table));

/** A table's key prefix in an ArchiveStorage: `<db>/<table>` escaped (keys below it add `/...`). */
export const archiveTableKey = (db: string, table: string): string => `${escapeName(db)}/${escapeName(table)}`;

/** `date=YYYY-MM-DD/hour=HH` of a source time (ms since the epoch, UTC). */
export function hourWindow(sourceTsMs: number): string {
  const iso = new Date(sourceTsMs).toISOString();
  return `date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/** The start of the hour window a time falls in (ms). */
export const hourStart = (sourceTsMs: number): number => Math.floor(sourceTsMs / 3_600_000) * 3_600_000;

/** A file's name within its hour window. */
export const archiveFileName = (partition: number, firstOffset: string): string => `${partition}-${firstOffset}.avro`;

/** Names the archive writes before they are durable: never part of the archive, removed at start-up. */
export const TEMP_SUFFIX = '.tmp';
export const MANIFEST = 'manifest.jsonl';

/** The archive's file path pattern (relative to the table's directory). */
export const ARCHIVE_FILE = /^date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/(\d+)-(\d+)\.avro$/;
