import { randomUUID } from 'node:crypto';
import type { KafkaClient } from '@sluice/core';

/**
 * Standby takeover, seen from the instance being replaced. A newer instance fences this one's
 * producer, but Kafka does not always say so: an EndTxn racing the newcomer's InitProducerId can
 * come back as UNKNOWN_SERVER_ERROR. Restarting then would fence the newcomer in turn. So every
 * run commits a start marker naming its process (readLastCheckpoint), and before a run restarts
 * after a Kafka failure, the supervisor looks for another instance's marker after its own.
 */
const INSTANCE = randomUUID();

/** The key of a run's start marker on the checkpoint topic: capture id, this process, this run. */
export const startMarkerKey = (captureId: string): string => `${captureId}#start-${INSTANCE}-${randomUUID()}`;

/** Whether a record key is another process's start marker for this capture id. */
export const isForeignStart = (captureId: string, key: string): boolean =>
  key.startsWith(`${captureId}#start-`) && !key.startsWith(`${captureId}#start-${INSTANCE}-`);

export interface MarkerAt {
  partition: number;
  offset: string;
}

/**
 * Whether another instance with this capture id started after `since` (this instance's last start
 * marker). Read uncommitted: a newcomer's marker shows as soon as it is sent, right after its
 * producer fenced this one. Reads the last tailRecords up to the high watermark, within timeoutMs.
 */
export async function anotherInstanceStarted(opts: {
  kafka: KafkaClient;
  topic: string;
  captureId: string;
  since: MarkerAt;
  timeoutMs?: number;
  tailRecords?: number;
}): Promise<boolean> {
  const { kafka, topic, captureId, since } = opts;
  const admin = kafka.admin();
  await admin.connect();
  let end: bigint;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    end = BigInt(offsets.find((o) => o.partition === since.partition)?.high ?? '0');
  } finally {
    await admin.disconnect();
  }
  // A newcomer's marker sits near the end (it fenced this instance a moment ago): read the tail only.
  const tail = end - BigInt(opts.tailRecords ?? 10_000);
  const from = BigInt(since.offset) + 1n > tail ? BigInt(since.offset) + 1n : tail;
  if (from >= end) return false;
  const consumer = kafka.consumer({ groupId: `${captureId}.takeover-check.${randomUUID()}`, readUncommitted: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<boolean>((resolve, reject) => {
      timer = setTimeout(() => resolve(false), opts.timeoutMs ?? 15_000);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== since.partition) return;
            for (const m of batch.messages) {
              const offset = BigInt(m.offset);
              if (offset < from) continue;
              if (m.key && isForeignStart(captureId, m.key.toString())) return resolve(true);
              if (offset >= end - 1n) return resolve(false);
            }
          },
        })
        .then(() => consumer.seek({ topic, partition: since.partition, offset: from.toString() }))
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}
