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
  /** The next Kafka offset the sink reads in this partition (all before it applied). */
  nextOffset?: string;
  sourcePosition: string | null;
  sourceTsMs: number | null;
}

/** A partition's end offset in Kafka (the offset after its last record or transaction marker). */
export interface PartitionEnd {
  topic: string;
  partition: number;
  high: string;
}

/**
 * Whether the target holds every change the source had made at `start` for these tables, each
 * given by the topics it can have (tableTopicCandidates: clean and mapped name).
 *
 * A partition is through when its checkpoint is at or past `start`. Under load on other tables a
 * partition may see no change past `start` for long, so it is also through when the capture has
 * passed `start` (some checkpoint of this sink, in any topic, is at or past it: the capture commits
 * its Kafka transactions in source order) and the sink has read the partition to the end offset
 * measured after that (`ends`; only a commit marker may follow its last record). Without `ends`
 * (no Kafka at hand), every partition with a checkpoint must be at or past `start`. A heartbeat
 * newer than `startedMs` also says so: capture writes heartbeats only once it has caught up and
 * the source is idle. A topic the sink never wrote a checkpoint for is not through (unless a
 * heartbeat says so, or Kafka shows it empty).
 */
export function caughtUp(
  rows: CheckpointRow[],
  tables: string[][],
  start: SourcePosition,
  startedMs: number,
  heartbeatTopic: string,
  ends?: PartitionEnd[],
): boolean {
  if (rows.some((r) => r.topic === heartbeatTopic && (r.sourceTsMs ?? 0) >= startedMs)) return true;
  const past = (r: CheckpointRow | undefined) => !!r?.sourcePosition && atOrAfter(r.sourcePosition, start) === true;
  const capturePassed = rows.some(past);
  return tables.every((topics) => {
    const mine = rows.filter((r) => topics.includes(r.topic));
    const partitions = (ends ?? []).filter((e) => topics.includes(e.topic));
    if (!partitions.length) return mine.length > 0 && mine.every(past);
    return partitions.every((e) => {
      const r = mine.find((m) => m.topic === e.topic && m.partition === e.partition);
      if (past(r)) return true;
      if (!capturePassed) return false;
      const read = BigInt(r?.nextOffset ?? '0');
      return read >= BigInt(e.high) - 1n;
    });
  });
}

/** The sink's checkpoint rows in the target; empty when it has none (yet). */
export async function readCheckpoints(target: Session, sink: SinkRef): Promise<CheckpointRow[]> {
  const rows = await target
    .rows(
      `SELECT topic, \`partition\`, next_offset, source_position, source_ts_ms FROM ${qualified(sink.checkpointSchema, 'checkpoints')} WHERE sink = ?`,
      [sink.name],
    )
    .catch(() => []);
  return rows.map((r) => ({
    topic: String(r[0]),
    partition: Number(r[1]),
    nextOffset: String(r[2]),
    sourcePosition: r[3] === null ? null : String(r[3]),
    sourceTsMs: r[4] === null ? null : Number(r[4]),
  }));
}
