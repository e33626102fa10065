import { foldTopicName, type KafkaAdmin, mappedTableTopic, SluiceError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { ensureTableTopic } from './table-topics.ts';
import { TopicManager } from './topic-manager.ts';

/** An admin that refuses names as Kafka does: a new name equal to an existing one once '.' and '_' fold. */
function fakeKafka(initial: string[]) {
  const topics = new Set(initial);
  const admin = {
    listTopics: async () => [...topics],
    createTopics: async ({ topics: wanted }: { topics: { topic: string }[] }) => {
      for (const { topic } of wanted) {
        const clash = [...topics].find((t) => t !== topic && foldTopicName(t) === foldTopicName(topic));
        if (clash) {
          const e = Object.assign(new Error('Topic creation errors'), { name: 'KafkaJSAggregateError' });
          throw Object.assign(e, {
            errors: [{ type: 'INVALID_TOPIC_EXCEPTION', message: `Topic '${topic}' collides with existing topic: ${clash}` }],
          });
        }
        topics.add(topic);
      }
      return true;
    },
  };
  return { topics, admin: admin as unknown as KafkaAdmin };
}

const defaults = { partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete', maxMessageBytes: 1_114_112 };

describe('table topics in Kafka', () => {
  it('creates the clean name, and the mapped one for a table whose clean name folds into an existing topic', async () => {
    const k = fakeKafka(['sluice.a.b_c']);
    const topics = new TopicManager(k.admin, defaults);
    expect(await ensureTableTopic(topics, 'sluice', 'a', 'b_c')).toBe('sluice.a.b_c');
    expect(await ensureTableTopic(topics, 'sluice', 'a_b', 'c')).toBe(mappedTableTopic('sluice', 'a_b', 'c'));
    expect(await ensureTableTopic(topics, 'sluice', 'shop', 't.dot')).toBe(mappedTableTopic('sluice', 'shop', 't.dot'));
    expect([...k.topics].sort()).toEqual(
      ['sluice.a.b_c', mappedTableTopic('sluice', 'a_b', 'c'), mappedTableTopic('sluice', 'shop', 't.dot')].sort(),
    );
  });

  it('lists again when another client took a folding name meanwhile', async () => {
    const k = fakeKafka([]);
    const topics = new TopicManager(k.admin, defaults);
    await ensureTableTopic(topics, 'sluice', 'x', 'y');
    k.topics.add('sluice.a_b.c'); // created by someone else after the capture listed
    expect(await ensureTableTopic(topics, 'sluice', 'a', 'b_c')).toBe(mappedTableTopic('sluice', 'a', 'b_c'));
  });

  it('stops with TOPIC_NAME_REFUSED, naming the table, when even the mapped name is refused', async () => {
    const mapped = mappedTableTopic('sluice', 'a', 'b_c');
    const k = fakeKafka(['sluice.a_b.c', foldTopicName(mapped)]);
    const topics = new TopicManager(k.admin, defaults);
    const err = await ensureTableTopic(topics, 'sluice', 'a', 'b_c').catch((e) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect(err).toMatchObject({ code: 'TOPIC_NAME_REFUSED', retriable: false });
    expect(err.message).toContain('a.b_c');
    expect(err.message).toContain(mapped);
  });
});
