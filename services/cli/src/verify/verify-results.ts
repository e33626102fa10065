import { qualified, quoteIdent } from '@sluice/core';
import type { Session } from '../shared/session.ts';
import type { VerifyRun } from './run-verify.ts';

/**
 * The last verify result per sink and table, kept in the target next to the sink's checkpoints
 * (`<checkpointSchema>.verify_results`), where `sluice status` reads it. Written by every run of
 * `sluice verify --follow` (and by a one-off verify given its sink).
 */
export const verifyResultsSql = (schema: string): string[] => [
  `CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`,
  `CREATE TABLE IF NOT EXISTS ${qualified(schema, 'verify_results')} (
  sink VARCHAR(200) NOT NULL,
  source_table VARCHAR(200) NOT NULL,
  status VARCHAR(16) NOT NULL,
  rows_different BIGINT NOT NULL,
  source_rows BIGINT NOT NULL,
  checked_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (sink, source_table)
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
];

/** Replaces the sink's rows with this run's tables. */
export async function writeVerifyResults(target: Session, schema: string, sink: string, run: VerifyRun): Promise<void> {
  for (const sql of verifyResultsSql(schema)) await target.objects(sql);
  await target.transaction(async () => {
    await target.execute(`DELETE FROM ${qualified(schema, 'verify_results')} WHERE sink = ?`, [sink]);
    for (const t of run.tables) {
      await target.execute(
        `INSERT INTO ${qualified(schema, 'verify_results')} (sink, source_table, status, rows_different, source_rows) VALUES (?, ?, ?, ?, ?)`,
        [sink, `${t.source.database}.${t.source.table}`, t.status, rowsDifferent(t), t.sourceRows],
      );
    }
  });
}

/** Rows a table's result counts as different (a missing target table: all its source rows). */
export const rowsDifferent = (t: VerifyRun['tables'][number]): number =>
  t.status === 'missing' ? t.sourceRows : t.status === 'different' ? Math.max(t.diffs.length, 1) : 0;
