import { readDecisions } from '../ddl/decisions.ts';
import { Session } from '../shared/session.ts';
import type { Verdict } from './health.ts';

/** A change a sink stopped at because the target refused its DDL (ddl_decisions, action pending). */
export interface PendingDdl {
  ddlId: string;
  table: string;
  sourceTable: string | null;
  sourcePosition: string | null;
  error: string | null;
}

/** The sink's pending refused DDL, from the decisions table next to its checkpoint. */
export async function readPendingDdl(url: string, schema: string, sink: string): Promise<PendingDdl[]> {
  const s = await Session.open(url, 'target');
  try {
    return (await readDecisions(s, { sink, schema }))
      .filter((d) => d.action === 'pending')
      .map((d) => ({
        ddlId: d.ddlId,
        table: `${d.targetDb}.${d.targetTable}`,
        sourceTable: d.sourceTable,
        sourcePosition: d.sourcePosition,
        error: d.error,
      }));
  } finally {
    await s.close();
  }
}

/** A sink stopped at a refused DDL is in error, whatever its lag says, and the reason says what to do. */
export function ddlVerdict(sink: string, v: Verdict, pending: PendingDdl[]): Verdict {
  if (!pending.length) return v;
  const first = pending[0] as PendingDdl;
  const more = pending.length > 1 ? ` (and ${pending.length - 1} more)` : '';
  return {
    state: v.state,
    error: true,
    reason: `DDL_REJECTED: the target refused DDL ${first.ddlId} of ${first.table}${more}: sluice ddl list --sink ${sink}, then skip or replace it and restart the sink`,
  };
}
