import { qualified } from '@sluice/core';
import { isoMillis, rowsIfTable, type Session } from '../shared/session.ts';
import type { Verdict } from './health.ts';

/** The last `sluice verify --follow` pass against a sink's target, per source table. */
export interface VerifyStatus {
  at: string;
  tables: number;
  different: { table: string; status: string; rows: number }[];
}

/** From `<checkpointSchema>.verify_results`; undefined when no following verify has written any. */
export async function readVerifyStatus(s: Session, schema: string, sink: string): Promise<VerifyStatus | undefined> {
  const rows = await rowsIfTable(
    s,
    `SELECT source_table, status, rows_different, ${isoMillis('checked_at')} FROM ${qualified(schema, 'verify_results')} WHERE sink = ? ORDER BY source_table`,
    [sink],
  );
  if (!rows.length) return undefined;
  return {
    at: rows
      .map((r) => String(r[3]))
      .sort()
      .at(-1) as string,
    tables: rows.length,
    different: rows
      .filter((r) => Number(r[2]) > 0)
      .map((r) => ({ table: String(r[0]), status: String(r[1]), rows: Number(r[2]) })),
  };
}

/** Tables the last verify found different make the sink an error: its target is not a copy. */
export function verifyVerdict(v: Verdict, status: VerifyStatus | undefined): Verdict {
  if (!status?.different.length) return v;
  const list = status.different
    .map((d) => `${d.table} (${d.status === 'missing' ? 'table missing' : `${d.rows} rows`})`)
    .join(', ');
  const why = `verify at ${status.at} found ${status.different.length} of ${status.tables} tables different: ${list}`;
  return { state: v.state, error: true, reason: v.reason ? `${why}; ${v.reason}` : why };
}
