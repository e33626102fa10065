import type { SourcePosition } from '../shared/source-position.ts';
import type { RowDiff, RowHash } from './row-diff.ts';

/** One re-check of candidate rows: the source before, the target once the sink passed it, the source after. */
export interface SettleReads {
  before: Map<string, RowHash>;
  target: Map<string, RowHash>;
  after: Map<string, RowHash>;
}

export interface SettleSplit {
  /** Rows the target holds as the source did: lag, not a difference. */
  equal: RowDiff[];
  /** Rows that differ although the source did not change while they were read: differences. */
  different: RowDiff[];
  /** Rows the source changed during the re-check: to be re-checked again. */
  changing: RowDiff[];
}

/**
 * Sorts candidate rows by one re-check. `before` was read on the source before the position the
 * sink was then waited for, `target` once the sink had passed it, `after` on the source after
 * that. A target row equal to `before` is equal (the target held the source's row). Otherwise, if
 * the source row did not change from `before` to `after`, the target, which has applied every
 * change up to a position after `before`, should hold `before` and does not: a difference. If the
 * source row changed meanwhile, nothing can be said yet.
 */
export function splitSettled(candidates: RowDiff[], reads: SettleReads): SettleSplit {
  const out: SettleSplit = { equal: [], different: [], changing: [] };
  for (const d of candidates) {
    const s = reads.before.get(d.keyText);
    const t = reads.target.get(d.keyText);
    const a = reads.after.get(d.keyText);
    if (s?.hash === t?.hash) out.equal.push(d);
    else if (s?.hash !== a?.hash) out.changing.push(d);
    else {
      const slice = d.slice ? { slice: d.slice } : {};
      if (!s) out.different.push({ kind: 'extra', keyText: d.keyText, key: t?.key ?? d.key, targetHash: t?.hash, ...slice });
      else if (!t) out.different.push({ kind: 'missing', keyText: d.keyText, key: s.key, sourceHash: s.hash, ...slice });
      else
        out.different.push({ kind: 'changed', keyText: d.keyText, key: s.key, sourceHash: s.hash, targetHash: t.hash, ...slice });
    }
  }
  return out;
}

/** What settle() needs of the world: row reads on each side, the source position, the sink. */
export interface SettleIo {
  rowHashes(side: 'source' | 'target', keys: unknown[][]): Promise<Map<string, RowHash>>;
  position(): Promise<SourcePosition>;
  /** Resolves true once the sink has applied `position` for the table, false at the deadline. */
  sinkPassed(position: SourcePosition, sinceMs: number): Promise<boolean>;
}

export interface Settled {
  diffs: RowDiff[];
  /** Rows the source changed in every re-check: not compared. */
  changing: RowDiff[];
  /** The sink did not pass a re-check's position in time: `diffs` holds the rows left unconfirmed too. */
  sinkLate: boolean;
}

/**
 * Re-checks rows found different against their newest source version (splitSettled), up to
 * `rounds` times for rows the source keeps changing. Rows found while the application writes are
 * often only rows the sink had not applied yet: only rows that still differ once the sink has
 * passed a position after the source row was read, with the source row unchanged, are differences.
 */
export async function settle(candidates: RowDiff[], io: SettleIo, rounds: number): Promise<Settled> {
  const diffs: RowDiff[] = [];
  let pending = candidates;
  for (let round = 0; round < rounds && pending.length; round++) {
    const keys = pending.map((d) => d.key);
    const before = await io.rowHashes('source', keys);
    const position = await io.position();
    // A heartbeat counts only if written after the position was read (the capture idle past it).
    const sinceMs = Date.now();
    if (!(await io.sinkPassed(position, sinceMs))) return { diffs: [...diffs, ...pending], changing: [], sinkLate: true };
    const target = await io.rowHashes('target', keys);
    const after = await io.rowHashes('source', keys);
    const split = splitSettled(pending, { before, target, after });
    diffs.push(...split.different);
    pending = split.changing;
  }
  return { diffs, changing: pending, sinkLate: false };
}
