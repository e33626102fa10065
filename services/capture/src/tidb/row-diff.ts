import type { RowImage } from '../event/change-builder.ts';
import { encodeKey } from '../snapshot/snapshotter.ts';

/** What happened to one row between two read points. */
export interface RowChange {
  op: 'insert' | 'update' | 'delete';
  before: RowImage | null;
  after: RowImage | null;
}

/** A value's canonical text: Buffers by their bytes, everything else as read (exact strings). */
const canonical = (v: unknown): string =>
  Buffer.isBuffer(v) ? `x${v.toString('hex')}` : v === null || v === undefined ? 'N' : `s${String(v)}`;

/** The key of a row as text (equal keys, equal text): to pair a row's two reads. */
export const keyText = (row: Record<string, unknown>, key: string[]): string => encodeKey(key.map((k) => row[k]));

/**
 * The change between a row's state at the previous read point and now, or undefined when it is
 * the same: a row read again because its change column is recent, but already published as it
 * is, is not published twice. Both reads have the same columns (one layout).
 */
export function rowChange(prev: RowImage | undefined, cur: RowImage | undefined): RowChange | undefined {
  if (!prev && !cur) return undefined;
  if (!prev) return { op: 'insert', before: null, after: cur as RowImage };
  if (!cur) return { op: 'delete', before: prev, after: null };
  const names = Object.keys(cur);
  if (names.length === Object.keys(prev).length && names.every((n) => n in prev && canonical(prev[n]) === canonical(cur[n]))) {
    return undefined;
  }
  return { op: 'update', before: prev, after: cur };
}
