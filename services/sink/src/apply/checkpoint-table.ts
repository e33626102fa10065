import { qualified, quoteIdent, type SqlParam } from '@sluice/core';
import { EXACT_NAMES } from './stale-write-guard.ts';

/**
 * The sink's checkpoint in the target (`_sluice.checkpoints` by default), written in the same
 * transaction as the data: per sink, topic and partition the next offset to apply, and the source
 * position and time of the last change applied. A heartbeat row (topic `<prefix>._heartbeats`)
 * carries the time of the last heartbeat. Together they say how fresh the target is.
 */
export const checkpointTableSql = (schema: string): string[] => [
  `CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`,
  `CREATE TABLE IF NOT EXISTS ${qualified(schema, 'checkpoints')} (
  sink VARCHAR(200) NOT NULL,
  topic VARCHAR(255) NOT NULL,
  \`partition\` INT NOT NULL,
  next_offset BIGINT NOT NULL,
  source_position VARCHAR(1024) NULL,
  source_ts_ms BIGINT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (sink, topic, \`partition\`)
) ${EXACT_NAMES}`,
];

/**
 * The origin marker (bidirectional replication): one row per sink, updated first in each of its
 * target transactions, so that the binlog of the target shows the transaction came from a sink.
 */
export const originMarkerTableSql = (schema: string): string[] => [
  `CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`,
  `CREATE TABLE IF NOT EXISTS ${qualified(schema, ORIGIN_MARKER_TABLE)} (
  sink VARCHAR(200) NOT NULL PRIMARY KEY,
  transactions BIGINT NOT NULL
) ${EXACT_NAMES}`,
];

export const ORIGIN_MARKER_TABLE = 'origin_marker';

export const originMarkerUpsert = (schema: string, sink: string): { sql: string; params: SqlParam[] } => ({
  sql: `INSERT INTO ${qualified(schema, ORIGIN_MARKER_TABLE)} (sink, transactions) VALUES (?, 1) ON DUPLICATE KEY UPDATE transactions = transactions + 1`,
  params: [sink],
});

export interface PartitionCheckpoint {
  sink: string;
  topic: string;
  partition: number;
  nextOffset: string;
  sourcePosition: string | null;
  sourceTsMs: number | null;
}

export function checkpointUpsert(schema: string, c: PartitionCheckpoint): { sql: string; params: SqlParam[] } {
  return {
    sql:
      `INSERT INTO ${qualified(schema, 'checkpoints')} (sink, topic, \`partition\`, next_offset, source_position, source_ts_ms) ` +
      'VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset), ' +
      'source_position = COALESCE(VALUES(source_position), source_position), source_ts_ms = COALESCE(VALUES(source_ts_ms), source_ts_ms)',
    params: [
      c.sink,
      c.topic,
      String(c.partition),
      c.nextOffset,
      c.sourcePosition,
      c.sourceTsMs === null ? null : String(c.sourceTsMs),
    ],
  };
}
