import { randomUUID } from 'node:crypto';
import type { ConsumedRecord, KafkaAdmin, KafkaClient } from '@sluice/core';
import { SluiceError } from '@sluice/core';

/** A partition read to its end: the offset reached (every record below it was handed over). */
export interface PartitionEnd {
  topic: string;
  partition: number;
  endOffset: string;
}

/**
 * Reads every record of the topics' partitions from their start up to their end, read_committed,
 * with a throwaway consumer group that commits nothing (deleted afterwards). Each partition is read
 * to the end measured first; then its end is measured again and, if it moved, read to that one,
 * until a measure finds nothing new: so a record that compaction removes meanwhile (it needs a
 * newer record of the key to exist) always has that successor read. Records reach `onRecords`
 * per partition in offset order, one batch at a time.
 */
export async function readTopicsToEnd(opts: {
  kafka: KafkaClient;
  admin: KafkaAdmin;
  topics: string[];
  onRecords: (topic: string, partition: number, records: ConsumedRecord[]) => Promise<void>;
  /** How long reading may go without progress. */
  stallMs?: number;
}): Promise<PartitionEnd[]> {
  const { admin } = opts;
  const targets = new Map<string, Target>();
  const key = (t: string, p: number) => `${t}\n${p}`;
  for (const topic of opts.topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      targets.set(key(topic, p.partition), {
        topic,
        partition: p.partition,
        end: BigInt(p.high),
        reached: BigInt(p.low),
        lock: Promise.resolve(),
      });
    }
  }
  const pending = new Set([...targets].filter(([, t]) => t.reached < t.end).map(([k]) => k));
  if (pending.size) await consume(opts, targets, pending, key);
  return [...targets.values()].map((t) => ({ topic: t.topic, partition: t.partition, endOffset: t.end.toString() }));
}

interface Target {
  topic: string;
  partition: number;
  /** The end to read to: measured, and measured again once reached. */
  end: bigint;
  /** The offset after the last record (or transaction marker) read. */
  reached: bigint;
  /** Batches and end checks of the partition, one at a time. */
  lock: Promise<unknown>;
}

async function consume(
  opts: Parameters<typeof readTopicsToEnd>[0],
  targets: Map<string, Target>,
  pending: Set<string>,
  key: (t: string, p: number) => string,
): Promise<void> {
  const groupId = `sluice-backup-${randomUUID()}`;
  const consumer = opts.kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  let finish: (err?: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve());
  });
  done.catch(() => undefined);
  let progressAt = Date.now();
  const locked = (t: Target, fn: () => Promise<void>) => {
    const run = t.lock.then(fn);
    t.lock = run.catch((err) => finish(err));
    return run;
  };
  /** Reached the end measured: measure it again; done when it did not move. */
  const check = async (k: string, t: Target) => {
    if (!pending.has(k) || t.reached < t.end) return;
    const now = (await opts.admin.fetchTopicOffsets(t.topic)).find((p) => p.partition === t.partition);
    const end = BigInt(now?.high ?? '0');
    if (end > t.reached) {
      t.end = end;
      return;
    }
    t.end = t.reached;
    pending.delete(k);
    if (!pending.size) finish();
  };
  consumer.on('crash', ({ error, restart }) => {
    if (!restart) finish(error);
  });
  // Transaction markers take offsets too and reach no handler: the batch's last offset counts them.
  consumer.on('batch-end', ({ topic, partition, lastOffset }) => {
    const k = key(topic, partition);
    const t = targets.get(k);
    if (!t) return;
    progressAt = Date.now();
    void locked(t, async () => {
      const next = BigInt(lastOffset) + 1n;
      if (pending.has(k) && next > t.reached) t.reached = next;
      await check(k, t);
    });
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set([...targets.values()].map((t) => t.topic))], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const k = key(batch.topic, batch.partition);
        const t = targets.get(k);
        if (!t) return;
        await locked(t, async () => {
          // A partition found done keeps nothing past its end.
          const take = pending.has(k) ? batch.messages : [];
          if (take.length) await opts.onRecords(batch.topic, batch.partition, take);
          progressAt = Date.now();
        });
        await heartbeat();
      },
    });
    const stallMs = opts.stallMs ?? 60_000;
    const watchdog = setInterval(() => {
      if (Date.now() - progressAt > stallMs) {
        finish(new SluiceError('KAFKA_UNAVAILABLE', `reading the table topics made no progress for ${stallMs / 1000} s`));
      }
    }, 1_000);
    try {
      await done;
    } finally {
      clearInterval(watchdog);
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await opts.admin.deleteGroups([groupId]).catch(() => undefined);
  }
}
