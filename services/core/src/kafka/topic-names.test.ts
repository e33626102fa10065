import { describe, expect, it } from 'vitest';
import { checkpointTopic, dlqTopic, heartbeatTopic, keySubject, schemaChangeTopic, valueSubject } from './topic-names.ts';

describe('internal topic names', () => {
  it('start with _ or dlq. after the prefix', () => {
    expect([checkpointTopic('s'), heartbeatTopic('s'), schemaChangeTopic('s'), dlqTopic('s', 'tidb-a')]).toEqual([
      's._checkpoints',
      's._heartbeats',
      's._schema_changes',
      's.dlq.tidb-a',
    ]);
  });

  it('names subjects by the TopicNameStrategy', () => {
    expect([keySubject('s.a.b'), valueSubject('s.a.b')]).toEqual(['s.a.b-key', 's.a.b-value']);
  });
});
