import { SluiceError } from '@sluice/core';
import type { TopicManager } from './topic-manager.ts';

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
      // TopicManager.ensure classifies the broker's refusal (classifyKafkaError).
      if (!(err instanceof SluiceError && err.code === 'TOPIC_NAME_REFUSED')) throw err;
      if (attempt > 0) {
        throw new SluiceError('TOPIC_NAME_REFUSED', `Kafka refused topic ${topic} for table ${db}.${table}: ${err.message}`, {
          cause: err,
        });
      }
      topic = await topics.tableTopic(prefix, db, table, true);
    }
  }
}
