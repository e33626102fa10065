import type { Key } from './key-range.ts';

/** One row as seen by a row-level comparison: its canonical key text, exact key and row hash. */
export interface RowHash {
  keyText: string;
  key: Key;
  hash: string;
}

export type RowDiffKind = 'missing' | 'extra' | 'changed';

/** A row that differs: missing in the target, extra in the target, or changed (which columns, once known). */
export interface RowDiff {
  kind: RowDiffKind;
  keyText: string;
  key: Key;
  /** Row hashes where the row exists; two sides' hashes differ for a changed row. */
  sourceHash?: string;
  targetHash?: string;
  columns?: string[];
  /** The time slice it was found in (a time-slice verify). */
  slice?: { from: string; to: string };
}

/**
 * Rows of the same range on both sides, matched by canonical key text (not by sort order: the
 * two servers may collate string keys differently).
 */
export function diffRows(source: RowHash[], target: RowHash[]): RowDiff[] {
  const byKey = new Map(target.map((r) => [r.keyText, r]));
  const out: RowDiff[] = [];
  for (const s of source) {
    const t = byKey.get(s.keyText);
    if (!t) out.push({ kind: 'missing', keyText: s.keyText, key: s.key, sourceHash: s.hash });
    else if (t.hash !== s.hash)
      out.push({ kind: 'changed', keyText: s.keyText, key: s.key, sourceHash: s.hash, targetHash: t.hash });
    byKey.delete(s.keyText);
  }
  for (const t of byKey.values()) out.push({ kind: 'extra', keyText: t.keyText, key: t.key, targetHash: t.hash });
  return out;
}

/**
 * Differences found range by range, merged for a table. When the target collates a string key
 * differently, one row can fall in one range on the source and another on the target, and look
 * "missing" there and "extra" here: such pairs with the same row hash are equal rows and dropped;
 * with a different hash they are one changed row.
 */
export function mergeRangeDiffs(diffs: RowDiff[]): RowDiff[] {
  const missing = new Map(diffs.filter((d) => d.kind === 'missing').map((d) => [d.keyText, d]));
  const out: RowDiff[] = [];
  for (const d of diffs) {
    if (d.kind === 'missing') continue;
    const m = d.kind === 'extra' ? missing.get(d.keyText) : undefined;
    if (m) {
      missing.delete(d.keyText);
      if (m.sourceHash !== d.targetHash) out.push({ ...m, kind: 'changed', targetHash: d.targetHash });
      continue;
    }
    out.push(d);
  }
  out.push(...missing.values());
  return out.sort((a, b) => compareKeys(a.key, b.key));
}

/** Key order for reports: numbers by value, everything else by its text. */
export function compareKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Names of the columns whose canonical text differs between a source and a target row. */
export function changedColumns(names: string[], source: unknown[], target: unknown[]): string[] {
  return names.filter((_, i) => !sameText(source[i], target[i]));
}

const sameText = (a: unknown, b: unknown): boolean => {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  return String(a) === String(b);
};
