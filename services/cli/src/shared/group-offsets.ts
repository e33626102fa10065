import { type KafkaAdmin, type KafkaClient, SluiceError } from '@sluice/core';

export interface OffsetEntry {
  topic: string;
  partition: number;
  offset: number;
}

/** The entries whose committed offset in the group is not (yet) the one asked for. */
export async function uncommitted(admin: KafkaAdmin, groupId: string, entries: OffsetEntry[]): Promise<OffsetEntry[]> {
  const topics = [...new Set(entries.map((e) => e.topic))];
  const got = await admin.fetchOffsets({ groupId, topics });
  const at = (e: OffsetEntry) =>
    got.find((t) => t.topic === e.topic)?.partitions.find((p) => p.partition === e.partition)?.offset;
  return entries.filter((e) => at(e) !== String(e.offset));
}

/**
 * Commits offsets for a group that has no members, on many topics in one group join (kafkajs'
 * admin.setOffsets joins once per topic, and every join of an empty group waits
 * group.initial.rebalance.delay.ms, 3 s by default). The same mechanism as setOffsets: a member
 * with every partition paused seeks, and kafkajs commits each seek; done when the group's
 * committed offsets read back as asked.
 */
export async function commitGroupOffsets(
  kafka: KafkaClient,
  admin: KafkaAdmin,
  groupId: string,
  entries: OffsetEntry[],
  timeoutMs = 60_000,
): Promise<void> {
  if (!entries.length) return;
  const topics = [...new Set(entries.map((e) => e.topic))];
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200 });
  let finish: (err?: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve());
  });
  done.catch(() => undefined); // a crash before the wait below is still seen there
  let checking = false;
  consumer.on('fetch', () => {
    if (checking) return;
    checking = true;
    uncommitted(admin, groupId, entries)
      .then((left) => {
        if (!left.length) finish();
      })
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  });
  consumer.on('crash', (e) => finish(e.error));
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const running = consumer.run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    // run() creates the group member synchronously; pause and seek before it has joined.
    consumer.pause(topics.map((topic) => ({ topic })));
    for (const e of entries) consumer.seek({ topic: e.topic, partition: e.partition, offset: String(e.offset) });
    await running;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutMs);
    });
    if ((await Promise.race([done, timeout])) === 'timeout') {
      const left = await uncommitted(admin, groupId, entries);
      throw new SluiceError(
        'KAFKA_UNAVAILABLE',
        `committing offsets of group ${groupId} took longer than ${timeoutMs / 1000} s; not committed: ${left
          .slice(0, 5)
          .map((e) => `${e.topic}:${e.partition}@${e.offset}`)
          .join(', ')}`,
      );
    }
  } catch (cause) {
    if (cause instanceof SluiceError) throw cause;
    throw new SluiceError('KAFKA_UNAVAILABLE', `cannot commit offsets of group ${groupId}: ${(cause as Error).message}`, {
      cause,
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}
