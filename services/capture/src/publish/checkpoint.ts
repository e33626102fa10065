import { randomUUID } from 'node:crypto';
import {
  BinlogPosition,
  CHECKPOINT_KEY_SCHEMA,
  CHECKPOINT_SCHEMA,
  checkpointTopic,
  type KafkaClient,
  keySubject,
  type Registry,
  type TransactionalProducer,
  valueSubject,
} from '@sluice/core';
import { type MarkerAt, startMarkerKey } from './takeover.ts';

export interface Checkpoint {
  capture_id: string;
  server_id: number;
  file: string;
  pos: number;
  gtid_set: string | null;
  source_ts_ms: number;
  ts_ms: number;
  /** Set while a snapshot is in progress; file/pos/gtid_set are then where streaming will start. */
  snapshot: SnapshotProgress | null;
  /** Query capture (TiDB): where the next change-column scan starts (tidb/query-capture.ts). */
  change_since_ms?: number | null;
}

export interface SnapshotProgress {
  tables_done: string[];
  table: string | null;
  /** JSON array of the last key read in `table`, as SQL text values. */
  last_key: string | null;
  rows: number;
}

/** The checkpoint at a binlog position (written now; `snapshot` while a snapshot is in progress). */
export function checkpointAt(
  ids: { captureId: string; serverId: number },
  at: BinlogPosition,
  sourceTsMs: number,
  snapshot: SnapshotProgress | null = null,
  changeSinceMs: number | null = null,
): Checkpoint {
  return {
    capture_id: ids.captureId,
    server_id: ids.serverId,
    file: at.file,
    pos: at.pos,
    gtid_set: at.gtidSet,
    source_ts_ms: sourceTsMs,
    ts_ms: Date.now(),
    snapshot,
    change_since_ms: changeSinceMs,
  };
}

export const checkpointPosition = (c: Checkpoint): BinlogPosition => new BinlogPosition(c.file, Number(c.pos), c.gtid_set);

/** Encodes checkpoint records for `<prefix>._checkpoints` (compacted, keyed by capture id). */
export class CheckpointCodec {
  readonly topic: string;
  private readonly registry: Registry;
  private ids: Promise<[number, number]> | undefined;

  constructor(prefix: string, registry: Registry) {
    this.topic = checkpointTopic(prefix);
    this.registry = registry;
  }

  private schemaIds(): Promise<[number, number]> {
    this.ids ??= Promise.all([
      this.registry.register(keySubject(this.topic), CHECKPOINT_KEY_SCHEMA),
      this.registry.register(valueSubject(this.topic), CHECKPOINT_SCHEMA),
    ]);
    return this.ids;
  }

  async encode(c: Checkpoint): Promise<{ key: Buffer; value: Buffer }> {
    const [keyId, valueId] = await this.schemaIds();
    return {
      key: await this.registry.encode(keyId, { capture_id: c.capture_id }),
      value: await this.registry.encode(valueId, c),
    };
  }
}

/**
 * The last committed checkpoint of a capture. Call only after the transactional producer has
 * initialised (which aborts a fenced predecessor's open transaction), so nothing is pending.
 * To know where "the end" is under read_committed, the reader first commits a marker record of
 * its own (a tombstone under a separate key) and reads until it sees it.
 */
export async function readLastCheckpoint(opts: {
  kafka: KafkaClient;
  producer: TransactionalProducer;
  codec: CheckpointCodec;
  registry: Registry;
  captureId: string;
}): Promise<{ checkpoint: Checkpoint | undefined; marker: MarkerAt }> {
  const marker = startMarkerKey(opts.captureId);
  const txn = await opts.producer.transaction();
  await txn.send({ topic: opts.codec.topic, messages: [{ key: marker, value: null }] });
  await txn.commit();

  const consumer = opts.kafka.consumer({
    groupId: `${opts.captureId}.checkpoint-reader.${randomUUID()}`,
    readUncommitted: false,
  });
  let last: Checkpoint | undefined;
  let at: MarkerAt | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: opts.codec.topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.key?.toString() === marker) {
              at = { partition, offset: message.offset };
              return resolve();
            }
            if (!message.value || message.key?.[0] !== 0) return;
            const { value } = await opts.registry.decode(message.value);
            const c = value as Checkpoint;
            if (c.capture_id === opts.captureId) last = c;
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return { checkpoint: last, marker: at as MarkerAt };
}
