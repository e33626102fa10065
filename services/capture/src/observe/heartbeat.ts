import { CHECKPOINT_KEY_SCHEMA, HEARTBEAT_SCHEMA, heartbeatTopic, keySubject, type Registry, valueSubject } from '@sluice/core';
import type { Checkpoint } from '../publish/checkpoint.ts';
import type { TopicManager } from '../publish/topic-manager.ts';
import type { PublishUnit } from '../publish/transactional-publisher.ts';

/**
 * Heartbeat records on `<prefix>._heartbeats` (compacted, keyed by capture id). Written only
 * while the source is idle and capture has caught up, so `ts_ms` says "the target may be as fresh
 * as this", which sinks and the CLI use to measure lag on a quiet source.
 */
export class Heartbeats {
  readonly topic: string;
  private readonly registry: Registry;
  private readonly topics: TopicManager;
  private ids: Promise<[number, number]> | undefined;

  constructor(prefix: string, registry: Registry, topics: TopicManager) {
    this.topic = heartbeatTopic(prefix);
    this.registry = registry;
    this.topics = topics;
  }

  async unit(last: Checkpoint): Promise<PublishUnit> {
    this.ids ??= (async () => {
      await this.topics.ensure(this.topic, { partitions: 1, cleanupPolicy: 'compact' });
      return Promise.all([
        this.registry.register(keySubject(this.topic), CHECKPOINT_KEY_SCHEMA),
        this.registry.register(valueSubject(this.topic), HEARTBEAT_SCHEMA),
      ]);
    })();
    const [keyId, valueId] = await this.ids;
    const now = Date.now();
    const key = await this.registry.encode(keyId, { capture_id: last.capture_id });
    const value = await this.registry.encode(valueId, {
      capture_id: last.capture_id,
      file: last.file,
      pos: last.pos,
      gtid_set: last.gtid_set,
      ts_ms: now,
    });
    return {
      messages: [{ topic: this.topic, message: { key, value } }],
      checkpoint: { ...last, source_ts_ms: now, ts_ms: now },
      bytes: 64,
      encodedBytes: key.length + value.length,
    };
  }
}
