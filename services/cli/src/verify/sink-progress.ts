import { qualified } from '@sluice/core';
import type { Session } from '../shared/session.ts';
import { atOrAfter, type SourcePosition } from '../shared/source-position.ts';

/** The sink whose progress verify waits for: its name, where its checkpoints live, its topics. */
export interface SinkRef {
  name: string;
  checkpointSchema: string;
  topicPrefix: string;
}

/** A row of the sink's checkpoint table in the target. */
export interface CheckpointRow {
  topic: string;
  partition: number;
  sourcePosition: string | null;
  sourceTsMs: number | null;
}

/**
 * Whether the target holds every change the source had made at `start` for these tables, each
 * given by the topics it can have (tableTopicCandidates: clean and mapped name). True when every
 * partition checkpoint of each table's topic is at or past the start position, or when a
 * heartbeat newer than `startedMs` was applied: capture writes heartbeats only once it has caught
 * up and the source is idle, so nothing older is still on its way. A topic the sink never wrote
 * a checkpoint for is not caught up (unless a heartbeat says so).
 */
export function caughtUp(
  rows: CheckpointRow[],
  tables: string[][],
  start: SourcePosition,
  startedMs: number,
  heartbeatTopic: string,
): boolean {
  if (rows.some((r) => r.topic === heartbeatTopic && (r.sourceTsMs ?? 0) >= startedMs)) return true;
  return tables.every((topics) => {
    const mine = rows.filter((r) => topics.includes(r.topic));
    return mine.length > 0 && mine.every((r) => r.sourcePosition !== null && atOrAfter(r.sourcePosition, start) === true);
  });
}

/** The sink's checkpoint rows in the target; empty when it has none (yet). */
export async function readCheckpoints(target: Session, sink: SinkRef): Promise<CheckpointRow[]> {
  const rows = await target
    .rows(
      `SELECT topic, \`partition\`, source_position, source_ts_ms FROM ${qualified(sink.checkpointSchema, 'checkpoints')} WHERE sink = ?`,
      [sink.name],
    )
    .catch(() => []);
  return rows.map((r) => ({
    topic: String(r[0]),
    partition: Number(r[1]),
    sourcePosition: r[2] === null ? null : String(r[2]),
    sourceTsMs: r[3] === null ? null : Number(r[3]),
  }));
}
