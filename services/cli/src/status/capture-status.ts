import { checkpointTopic, type KafkaAdmin, type KafkaClient, type Registry } from '@sluice/core';
import { latestPerKey } from '../shared/kafka.ts';
import type { SourcePosition } from '../shared/source-position.ts';

/** A capture's last committed checkpoint, as read from `<prefix>._checkpoints`. */
export interface CaptureCheckpoint {
  captureId: string;
  file: string;
  pos: number;
  gtidSet: string | null;
  /** Source commit time of the last change (or heartbeat) it covers. */
  sourceTsMs: number;
  /** When capture committed it. */
  tsMs: number;
  snapshot: { table: string | null; rows: number; tablesDone: number } | null;
}

/** Every capture's last checkpoint in the topic (one record per capture id survives compaction). */
export async function readCaptureCheckpoints(
  kafka: KafkaClient,
  admin: KafkaAdmin,
  registry: Registry,
  prefix: string,
): Promise<CaptureCheckpoint[]> {
  const latest = await latestPerKey(kafka, admin, checkpointTopic(prefix));
  const out: CaptureCheckpoint[] = [];
  for (const m of latest.values()) {
    // Start markers are plain-string keys with no value; checkpoints are Avro (magic byte 0).
    if (!m.value || m.key?.[0] !== 0) continue;
    const { value } = await registry.decode(m.value);
    const c = value as Record<string, unknown> & { snapshot: Record<string, unknown> | null };
    out.push({
      captureId: String(c.capture_id),
      file: String(c.file),
      pos: Number(c.pos),
      gtidSet: c.gtid_set ? String(c.gtid_set) : null,
      sourceTsMs: Number(c.source_ts_ms),
      tsMs: Number(c.ts_ms),
      snapshot: c.snapshot
        ? {
            table: c.snapshot.table ? String(c.snapshot.table) : null,
            rows: Number(c.snapshot.rows),
            tablesDone: (c.snapshot.tables_done as unknown[]).length,
          }
        : null,
    });
  }
  return out.sort((a, b) => a.captureId.localeCompare(b.captureId));
}

export interface CaptureLag {
  /** Source binlog bytes not yet covered, when checkpoint and source are in the same file. */
  bytes: number | null;
  /** Now minus the source time of the last change or heartbeat captured. */
  seconds: number;
}

/**
 * Lag of a capture against the source now. Bytes only within one binlog file (positions in
 * different files cannot be subtracted without listing the files); seconds from the checkpoint's
 * source time, which heartbeats keep current while the source is idle.
 */
export function captureLag(c: CaptureCheckpoint, source: SourcePosition | undefined, nowMs: number): CaptureLag {
  const bytes = source && source.position.file === c.file ? Math.max(0, source.position.pos - c.pos) : null;
  return { bytes, seconds: Math.max(0, (nowMs - c.sourceTsMs) / 1000) };
}
