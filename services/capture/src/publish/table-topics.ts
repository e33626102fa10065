import { SluiceError } from '@sluice/core';
import type { TopicManager } from './topic-manager.ts';

/** The reason Kafka gave when it refused a topic's name (kafkajs: an aggregate of per-topic errors), if it did. */
function refusedName(err: unknown): string | undefined {
  for (let e = err as { type?: string; message?: string; errors?: unknown[]; cause?: unknown } | undefined; e; ) {
    if (e.type === 'INVALID_TOPIC_EXCEPTION') return e.message ?? 'invalid topic';
    const inner = e.errors?.map(refusedName).find((m) => m !== undefined);
    if (inner) return inner;
    e = e.cause as typeof e;
  }
  return undefined;
}

/**
 * Resolves a table's topic (clean or mapped, table-topic.ts) and creates it. Kafka refuses a name
 * equal to another topic once '.' and '_' fold together; when it does, a client other than this
 * capture created that topic after the listing: list again and resolve once more. A name refused
 * again stops the capture with TOPIC_NAME_REFUSED, never a retry loop that looks like an outage.
 */
export async function ensureTableTopic(topics: TopicManager, prefix: string, db: string, table: string): Promise<string> {
  let topic = await topics.tableTopic(prefix, db, table);
  for (let attempt = 0; ; attempt++) {
    try {
      await topics.ensure(topic);
      return topic;
    } catch (err) {
      const reason = refusedName(err);
      if (reason === undefined) throw err;
      if (attempt > 0) {
        throw new SluiceError('TOPIC_NAME_REFUSED', `Kafka refused topic ${topic} for table ${db}.${table}: ${reason}`, {
          cause: err,
        });
      }
      topic = await topics.tableTopic(prefix, db, table, true);
    }
  }
}
