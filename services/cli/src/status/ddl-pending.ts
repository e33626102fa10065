import { readDecisions } from '../ddl/decisions.ts';
import type { Session } from '../shared/session.ts';
import type { Verdict } from './health.ts';

/**
 * A change a sink stopped at because the target refused its DDL (ddl_decisions, action pending),
 * or a shard of a merged table held until the other shards reach its change (action held).
 */
export interface PendingDdl {
  kind: 'pending' | 'held';
  ddlId: string;
  table: string;
  sourceTable: string | null;
  sourcePosition: string | null;
  error: string | null;
}

/** The sink's pending refused DDL, from the decisions table next to its checkpoint. */
export async function readPendingDdl(s: Session, schema: string, sink: string): Promise<PendingDdl[]> {
  return (await readDecisions(s, { sink, schema }))
    .flatMap((d) => (d.action === 'pending' || d.action === 'held' ? [{ ...d, kind: d.action }] : []))
    .map((d) => ({
      kind: d.kind,
      ddlId: d.ddlId,
      table: `${d.targetDb}.${d.targetTable}`,
      sourceTable: d.sourceTable,
      sourcePosition: d.sourcePosition,
      error: d.error,
    }));
}

/**
 * A sink stopped at a refused DDL is in error, whatever its lag says, and the reason says what to
 * do. A held shard is a wait, not a failure: said in the reason, an error only by the lag rules.
 */
export function ddlVerdict(sink: string, v: Verdict, all: PendingDdl[]): Verdict {
  const pending = all.filter((d) => d.kind === 'pending');
  // A rename never applied (RENAME_NOT_APPLIED) holds the new name's rows for good: an error, said in its own words.
  const stuck = all.filter((d) => d.kind === 'held' && codeOf(d.error) === 'RENAME_NOT_APPLIED');
  const held = all.filter((d) => d.kind === 'held' && !stuck.includes(d));
  if (!pending.length && stuck.length) {
    const why = (stuck[0] as PendingDdl).error as string;
    return { state: v.state, error: true, reason: v.reason ? `${why}; ${v.reason}` : why };
  }
  if (!pending.length) {
    if (!held.length) return v;
    const shards = held.map((h) => h.sourceTable ?? '?').join(', ');
    const why = `SHARD_DDL_PENDING: shard ${shards} held until the other shards of ${(held[0] as PendingDdl).table} reach its change (sluice ddl list --sink ${sink})`;
    return { ...v, reason: v.reason ? `${why}; ${v.reason}` : why };
  }
  const first = pending[0] as PendingDdl;
  const more = pending.length > 1 ? ` (and ${pending.length - 1} more)` : '';
  return {
    state: v.state,
    error: true,
    reason: `${codeOf(first.error) ?? 'DDL_REJECTED'}: the target refused DDL ${first.ddlId} of ${first.table}${more}: sluice ddl list --sink ${sink}, then skip or replace it and restart the sink`,
  };
}

/** The code a pending or held row's error starts with (a DDL marker's refusal, a rename never applied), if any. */
const codeOf = (error: string | null): string | undefined => /^([A-Z][A-Z_]+): /.exec(error ?? '')?.[1];
