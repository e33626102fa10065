import type { SqlParam } from '@sluice/core';
import { keyString, type TablePlan } from './batch-plan.ts';

/**
 * The stale-write guard's decision, pure: keep a change only if it is newer than what the
 * target already reflects for its key (the last applied version, or a TRUNCATE after it). A
 * replay from an older offset therefore never moves a row backwards, nor brings a deleted row
 * back.
 */
export function dropStale(
  plan: TablePlan,
  keyOfRow: (row: SqlParam[]) => SqlParam[],
  existing: Map<string, bigint>,
  truncatedAt: bigint | undefined,
): { plan: TablePlan; dropped: number } {
  const floor = (key: SqlParam[]) => {
    const v = existing.get(keyString(key));
    if (v === undefined) return truncatedAt ?? -1n;
    return truncatedAt !== undefined && truncatedAt > v ? truncatedAt : v;
  };
  const out: TablePlan = { ...plan, upserts: [], deletes: [], upsertVersions: [], deleteVersions: [] };
  let dropped = 0;
  plan.upserts.forEach((row, i) => {
    const v = BigInt(plan.upsertVersions?.[i] ?? '0');
    if (v > floor(keyOfRow(row))) {
      out.upserts.push(row);
      out.upsertVersions?.push(String(v));
    } else dropped++;
  });
  plan.deletes.forEach((key, i) => {
    const v = BigInt(plan.deleteVersions?.[i] ?? '0');
    if (v > floor(key)) {
      out.deletes.push(key);
      out.deleteVersions?.push(String(v));
    } else dropped++;
  });
  // An old TRUNCATE replayed after newer rows must not empty the table again.
  if (plan.truncate && truncatedAt !== undefined && BigInt(plan.truncateVersion ?? '0') <= truncatedAt) {
    out.truncate = false;
    dropped++;
  }
  return { plan: out, dropped };
}
