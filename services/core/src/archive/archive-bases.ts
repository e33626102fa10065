import { partitionKey } from './archive-manifest.ts';
import type { ArchiveStorage } from './archive-storage.ts';
import { baseManifestKey } from './base-manifest.ts';

/**
 * What retention needs of a base backup (`base=<id>/base.json`, written last by `sluice backup`;
 * its full shape is BaseManifest in base-manifest.ts, read here only as far as retention needs):
 * when it was made, and per topic partition the offset after the last record it holds (its end:
 * the archive from there on is what a restore replays on top of it).
 */
export interface BaseInfo {
  id: string;
  createdAtMs: number;
  /** partitionKey(topic, partition) -> end offset (the next offset after the base's last record). */
  ends: Map<string, bigint>;
}

/** A base found in the storage: read, or the reason it could not be. */
export type FoundBase = { id: string; base: BaseInfo } | { id: string; error: string };

/** `base=<id>` prefixes that have a base.json (the others are being written, or were never finished). */
export function baseIdsOf(keys: string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const m = /^base=([^/]+)\/base\.json$/.exec(k);
    if (m?.[1]) out.push(m[1]);
  }
  return out.sort();
}

/**
 * A base.json read defensively: only id, createdAtMs and tables[].topic/.partitions[]
 * .partition/.endOffset are used (the rest is the backup's business); anything else malformed
 * makes it an error, never a guess.
 */
export function parseBase(id: string, text: string): FoundBase {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { id, error: `base.json is not JSON: ${(e as Error).message}` };
  }
  const o = v as { id?: unknown; createdAtMs?: unknown; tables?: unknown };
  if (typeof o !== 'object' || o === null) return { id, error: 'base.json is not an object' };
  if (o.id !== undefined && String(o.id) !== id) return { id, error: `base.json names id ${String(o.id)}` };
  if (typeof o.createdAtMs !== 'number' || !Number.isFinite(o.createdAtMs)) return { id, error: 'no numeric createdAtMs' };
  if (!Array.isArray(o.tables)) return { id, error: 'no tables array' };
  const ends = new Map<string, bigint>();
  for (const t of o.tables as { topic?: unknown; partitions?: unknown }[]) {
    if (typeof t?.topic !== 'string' || !Array.isArray(t.partitions)) return { id, error: 'a table without topic or partitions' };
    for (const p of t.partitions as { partition?: unknown; endOffset?: unknown }[]) {
      if (!Number.isInteger(p?.partition) || typeof p.endOffset !== 'string' || !/^\d+$/.test(p.endOffset)) {
        return { id, error: `topic ${t.topic}: a partition without an integer partition and a decimal endOffset` };
      }
      ends.set(partitionKey(t.topic, p.partition as number), BigInt(p.endOffset));
    }
  }
  return { id, base: { id, createdAtMs: o.createdAtMs, ends } };
}

/** Every finished base of the storage (`keys`: its list('')), read. */
export async function readBases(storage: ArchiveStorage, keys: string[]): Promise<FoundBase[]> {
  const out: FoundBase[] = [];
  for (const id of baseIdsOf(keys)) {
    const data = await storage.read(baseManifestKey(id));
    out.push(data ? parseBase(id, data.toString('utf8')) : { id, error: 'base.json vanished while read' });
  }
  return out;
}
