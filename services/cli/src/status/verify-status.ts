import { qualified } from '@sluice/core';
import { Session } from '../shared/session.ts';
import type { Verdict } from './health.ts';

/** The last `sluice verify --follow` pass against a sink's target, per source table. */
export interface VerifyStatus {
  at: string;
  tables: number;
  different: { table: string; status: string; rows: number }[];
}

/** From `<checkpointSchema>.verify_results`; undefined when no following verify has written any. */
export async function readVerifyStatus(url: string, schema: string, sink: string): Promise<VerifyStatus | undefined> {
  const s = await Session.open(url, 'target');
  try {
    const rows = await s
      .rows(
        `SELECT source_table, status, rows_different, DATE_FORMAT(checked_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM ${qualified(schema, 'verify_results')} WHERE sink = ? ORDER BY source_table`,
        [sink],
      )
      .catch((err: { errno?: number; cause?: { errno?: number } }) => {
        if ((err.errno ?? err.cause?.errno) === 1146) return [];
        throw err;
      });
    if (!rows.length) return undefined;
    const at = rows
      .map((r) => String(r[3]))
      .sort()
      .at(-1) as string;
    return {
      at: at.replace(/(\.\d{3})\d*Z$/, '$1Z'),
      tables: rows.length,
      different: rows
        .filter((r) => Number(r[2]) > 0)
        .map((r) => ({ table: String(r[0]), status: String(r[1]), rows: Number(r[2]) })),
    };
  } finally {
    await s.close();
  }
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
