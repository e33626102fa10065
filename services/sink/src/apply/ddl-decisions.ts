import { createHash } from 'node:crypto';
import { qualified, quoteIdent, type SqlParam } from '@sluice/core';
import { EXACT_NAMES } from './stale-write-guard.ts';

/**
 * The operator's decisions on DDL a target refused (DM's handle-error), kept in the target next to
 * the sink's checkpoint (`_sluice.ddl_decisions` by default), so that they survive restarts and
 * travel with the sink's state. One row per sink, target table and failed change (`ddl_id`):
 *
 * - `pending`: the sink stopped there; `statements` are the ones the target refused, `error` its answer.
 * - `held`: a shard of a merged table waits there for the other shards (`error` says which); not a stop.
 * - `skip`: leave the target table as it is and write the columns it has.
 * - `replace`: run `statements` (the operator's) instead, once (`applied_at`), then write the columns the table has.
 *
 * Pure statement builders: the sink (mysql2 pool) and the CLI (its Session) run them.
 */
export type DdlAction = 'pending' | 'held' | 'skip' | 'replace';

export interface DdlDecision {
  sink: string;
  targetDb: string;
  targetTable: string;
  ddlId: string;
  action: DdlAction;
  /** pending: the statements the target refused; replace: the operator's; skip, held: none. */
  statements: string[];
  error: string | null;
  sourceTable: string | null;
  sourcePosition: string | null;
  decidedBy: string | null;
  failedAt: string | null;
  decidedAt: string | null;
  appliedAt: string | null;
}

export interface Statement {
  sql: string;
  params: SqlParam[];
}

export const DECISIONS_TABLE = 'ddl_decisions';

/**
 * The identity of a change a target table failed to take: the target table and the source layout
 * the sink tried to make it follow (the layout id, built from the registry's value schema: the
 * source table, its columns with types, nullability, charsets, defaults, and its renames). The
 * same schema version gives the same id after a restart or a replay; another version of the table
 * is another change. 16 hex digits of SHA-256, short enough to type.
 */
export function ddlId(target: { database: string; table: string }, layoutId: string): string {
  return createHash('sha256').update(`${target.database}\n${target.table}\n${layoutId}`).digest('hex').slice(0, 16);
}

export const decisionsTableSql = (schema: string): string[] => [
  `CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`,
  `CREATE TABLE IF NOT EXISTS ${qualified(schema, DECISIONS_TABLE)} (
  sink VARCHAR(200) NOT NULL,
  target_db VARCHAR(64) NOT NULL,
  target_table VARCHAR(64) NOT NULL,
  ddl_id CHAR(16) NOT NULL,
  action VARCHAR(16) NOT NULL,
  statements MEDIUMTEXT NOT NULL,
  error TEXT NULL,
  source_table VARCHAR(200) NULL,
  source_position VARCHAR(1024) NULL,
  decided_by VARCHAR(255) NULL,
  failed_at TIMESTAMP(3) NULL,
  decided_at TIMESTAMP(3) NULL,
  applied_at TIMESTAMP(3) NULL,
  PRIMARY KEY (sink, target_db, target_table, ddl_id)
) ${EXACT_NAMES}`,
];

const COLUMNS =
  'sink, target_db, target_table, ddl_id, action, statements, error, source_table, source_position, decided_by, ' +
  'failed_at, decided_at, applied_at';

/** One decision (or pending failure) of a sink for one change of one target table. */
export function selectDecision(schema: string, sink: string, target: { database: string; table: string }, id: string): Statement {
  return {
    sql: `SELECT ${COLUMNS} FROM ${qualified(schema, DECISIONS_TABLE)} WHERE sink = ? AND target_db = ? AND target_table = ? AND ddl_id = ?`,
    params: [sink, target.database, target.table, id],
  };
}

/** Ids of a sink's changes it stopped or waits at. */
export function selectOpen(schema: string, sink: string): Statement {
  return {
    sql: `SELECT ddl_id FROM ${qualified(schema, DECISIONS_TABLE)} WHERE sink = ? AND action IN ('pending', 'held')`,
    params: [sink],
  };
}

/** A sink's rows, newest first; `table` narrows to one target table. */
export function selectDecisions(schema: string, sink: string, table?: { database: string; table: string }): Statement {
  const where = table ? ' AND target_db = ? AND target_table = ?' : '';
  return {
    sql: `SELECT ${COLUMNS} FROM ${qualified(schema, DECISIONS_TABLE)} WHERE sink = ?${where} ORDER BY COALESCE(decided_at, failed_at) DESC`,
    params: table ? [sink, table.database, table.table] : [sink],
  };
}

/**
 * The sink stopped at a change: a new row is `pending`; on an existing decision (a replacement that
 * failed) only the error and its time change, never the operator's action or statements.
 */
export function recordFailure(
  schema: string,
  f: {
    sink: string;
    target: { database: string; table: string };
    ddlId: string;
    statements: string[];
    error: string;
    sourceTable: string | null;
    sourcePosition: string | null;
  },
): Statement {
  return {
    sql:
      `INSERT INTO ${qualified(schema, DECISIONS_TABLE)} (sink, target_db, target_table, ddl_id, action, statements, error, source_table, source_position, failed_at) ` +
      "VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, CURRENT_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE " +
      "statements = IF(action = 'pending', VALUES(statements), statements), error = VALUES(error), " +
      'source_table = VALUES(source_table), source_position = VALUES(source_position), failed_at = VALUES(failed_at)',
    params: [
      f.sink,
      f.target.database,
      f.target.table,
      f.ddlId,
      JSON.stringify(f.statements),
      f.error,
      f.sourceTable,
      f.sourcePosition,
    ],
  };
}

/** A shard waits for the others (SHARD_DDL_PENDING): recorded for status and list, never over a decision or a stop. */
export function recordHold(
  schema: string,
  h: {
    sink: string;
    target: { database: string; table: string };
    ddlId: string;
    message: string;
    sourceTable: string | null;
    sourcePosition: string | null;
  },
): Statement {
  return {
    sql:
      `INSERT INTO ${qualified(schema, DECISIONS_TABLE)} (sink, target_db, target_table, ddl_id, action, statements, error, source_table, source_position, failed_at) ` +
      "VALUES (?, ?, ?, ?, 'held', '[]', ?, ?, ?, CURRENT_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE " +
      "error = IF(action = 'held', VALUES(error), error), source_position = IF(action = 'held', VALUES(source_position), source_position)",
    params: [h.sink, h.target.database, h.target.table, h.ddlId, h.message, h.sourceTable, h.sourcePosition],
  };
}

/** The operator's decision: replaces a pending row, or an earlier decision (which then runs anew). */
export function recordDecision(
  schema: string,
  d: {
    sink: string;
    target: { database: string; table: string };
    ddlId: string;
    action: 'skip' | 'replace';
    statements: string[];
    decidedBy: string;
  },
): Statement {
  return {
    sql:
      `INSERT INTO ${qualified(schema, DECISIONS_TABLE)} (sink, target_db, target_table, ddl_id, action, statements, decided_by, decided_at) ` +
      'VALUES (?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE action = VALUES(action), ' +
      'statements = VALUES(statements), decided_by = VALUES(decided_by), decided_at = VALUES(decided_at), applied_at = NULL',
    params: [d.sink, d.target.database, d.target.table, d.ddlId, d.action, JSON.stringify(d.statements), d.decidedBy],
  };
}

/** A replacement ran: it is not run again when the sink meets the change another time. */
export function markApplied(schema: string, sink: string, target: { database: string; table: string }, id: string): Statement {
  return {
    sql: `UPDATE ${qualified(schema, DECISIONS_TABLE)} SET applied_at = CURRENT_TIMESTAMP(3), error = NULL WHERE sink = ? AND target_db = ? AND target_table = ? AND ddl_id = ?`,
    params: [sink, target.database, target.table, id],
  };
}

/** The change went through after all (the target was fixed by hand, the other shards caught up): the pending or held row goes. */
export function clearPending(schema: string, sink: string, target: { database: string; table: string }, id: string): Statement {
  return {
    sql: `DELETE FROM ${qualified(schema, DECISIONS_TABLE)} WHERE sink = ? AND target_db = ? AND target_table = ? AND ddl_id = ? AND action IN ('pending', 'held')`,
    params: [sink, target.database, target.table, id],
  };
}

const text = (v: unknown): string | null =>
  v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v);

/** A row of the table (by column name) as a decision. */
export function decisionFromRow(r: Record<string, unknown>): DdlDecision {
  let statements: string[] = [];
  try {
    const parsed = JSON.parse(String(r.statements ?? '[]'));
    if (Array.isArray(parsed)) statements = parsed.map(String);
  } catch {
    statements = [];
  }
  const action = String(r.action);
  return {
    sink: String(r.sink),
    targetDb: String(r.target_db),
    targetTable: String(r.target_table),
    ddlId: String(r.ddl_id),
    action: action === 'skip' || action === 'replace' || action === 'held' ? action : 'pending',
    statements,
    error: text(r.error),
    sourceTable: text(r.source_table),
    sourcePosition: text(r.source_position),
    decidedBy: text(r.decided_by),
    failedAt: text(r.failed_at),
    decidedAt: text(r.decided_at),
    appliedAt: text(r.applied_at),
  };
}

/** The table does not exist yet: no sink of this target ever stopped at a DDL. */
export const isMissingTable = (err: unknown): boolean => {
  const e = err as { errno?: number; cause?: { errno?: number } };
  // 1049: not even the schema exists yet.
  return [1146, 1049].includes(Number(e?.errno)) || [1146, 1049].includes(Number(e?.cause?.errno));
};
