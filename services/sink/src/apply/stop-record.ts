import { qualified, quoteIdent, type SqlParam } from '@sluice/core';
import { EXACT_NAMES } from './stale-write-guard.ts';

/** Why a sink stopped, where `sluice status` reads it (`<checkpointSchema>.stops`, one row per sink). */
export interface StopRecord {
  sink: string;
  code: string;
  message: string;
  /** The record it stopped at, when one is to blame. */
  topic: string | null;
  partition: number | null;
  offset: string | null;
}

export const stopTableSql = (schema: string): string[] => [
  `CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`,
  `CREATE TABLE IF NOT EXISTS ${qualified(schema, 'stops')} (
  sink VARCHAR(200) NOT NULL PRIMARY KEY,
  code VARCHAR(64) NOT NULL,
  message TEXT NOT NULL,
  topic VARCHAR(255) NULL,
  \`partition\` INT NULL,
  \`offset\` VARCHAR(32) NULL,
  stopped_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ${EXACT_NAMES}`,
];

/** Replaces the sink's stop row (a message is cut to 4,000 characters). */
export function stopUpsert(schema: string, r: StopRecord): { sql: string; params: SqlParam[] } {
  return {
    sql:
      `REPLACE INTO ${qualified(schema, 'stops')} (sink, code, message, topic, \`partition\`, \`offset\`, stopped_at) ` +
      'VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3))',
    params: [r.sink, r.code, r.message.slice(0, 4000), r.topic, r.partition, r.offset],
  };
}

/** The sink runs again: its last stop is history (the log keeps it). */
export const stopClear = (schema: string, sink: string): { sql: string; params: SqlParam[] } => ({
  sql: `DELETE FROM ${qualified(schema, 'stops')} WHERE sink = ?`,
  params: [sink],
});
