import { randomUUID } from 'node:crypto';
import { type ConsumedRecord, type KafkaClient, SluiceError } from '@sluice/core';

/**
 * Reads every committed record of a topic from its start up to its end of now (the last stable
 * offset, measured before reading), read_committed, one record at a time: `each` is awaited, so
 * a slow handler slows the read instead of piling records up in memory. A throwaway consumer
 * group commits nothing and is deleted afterwards. Records published during the read (beyond the
 * measured end) are not waited for. Returns false, reading nothing, when the topic is empty.
 */
export async function scanTopic(opts: {
  kafka: KafkaClient;
  topic: string;
  groupPrefix: string;
  each: (message: ConsumedRecord) => Promise<void>;
  /** Checked before each record: true ends the read early (the capture is stopping). */
  stopping?: () => boolean;
  /** Fails when no record or batch arrives for this long (Kafka gone). */
  idleTimeoutMs?: number;
}): Promise<boolean> {
  const { kafka, topic } = opts;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${opts.groupPrefix}.snapshot-scan.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  try {
    // kafkajs lists offsets read_committed: `high` is the last stable offset.
    const ends = await admin.fetchTopicOffsets(topic);
    const pending = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
    if (!pending.size) return false;
    let lastProgress = Date.now();
    let failure: unknown;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    consumer.on('batch-end', (payload) => {
      lastProgress = Date.now();
      const last = pending.get(payload.partition);
      if (last !== undefined && BigInt(payload.lastOffset) >= last) pending.delete(payload.partition);
      if (!pending.size) finish();
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message, heartbeat }) => {
        const last = pending.get(partition);
        // Beyond the measured end (or a partition already read through): not part of this scan.
        if (last === undefined || BigInt(message.offset) > last || failure) return;
        if (opts.stopping?.()) {
          finish();
          return;
        }
        try {
          await opts.each(message);
        } catch (err) {
          failure = err;
          finish();
          return;
        }
        lastProgress = Date.now();
        await heartbeat();
      },
    });
    const idle = opts.idleTimeoutMs ?? 60_000;
    for (;;) {
      const tick = new Promise<'tick'>((r) => setTimeout(() => r('tick'), 1_000).unref());
      if ((await Promise.race([done, tick])) !== 'tick') break;
      if (Date.now() - lastProgress > idle) {
        throw new SluiceError('KAFKA_UNAVAILABLE', `reading ${topic} for the snapshot stalled for ${idle / 1000} s`);
      }
    }
    if (failure) throw failure;
    return true;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
