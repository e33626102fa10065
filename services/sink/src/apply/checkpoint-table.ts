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
