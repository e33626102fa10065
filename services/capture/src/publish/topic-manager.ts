import { classifyKafkaError } from '@sluice/core';
import kafkajs, { type Admin } from 'kafkajs';

// kafkajs is CommonJS and Node's named-export detection misses its enums.
const { ConfigResourceTypes } = kafkajs;

/** What a record batch adds to its records (batch header, record headers, varints), with room to spare. */
export const BATCH_OVERHEAD_BYTES = 64 * 1024;
/** Kafka's default max.message.bytes (broker message.max.bytes): a topic without an override takes this. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
/** Kafka's ConfigSource for a value set on the topic itself (the only ones an AlterConfigs must carry over). */
const DYNAMIC_TOPIC_CONFIG = 1;

/**
 * Creates topics on first use, sized for the largest record capture publishes (max.message.bytes
 * from maxRecordBytes). Idempotent: an existing topic is fine; its settings are left alone
 * except that fit() raises its max.message.bytes when a record needs it (topics created by an
 * older version keep Kafka's 1 MiB default until then).
 */
export class TopicManager {
  private readonly admin: Admin;
  private readonly known = new Set<string>();
  private listed = false;
  private readonly partitionCount = new Map<string, number>();
  /** max.message.bytes by topic, as read or set by this process. */
  private readonly limits = new Map<string, number>();
  private readonly defaults: { partitions: number; replicationFactor: number; cleanupPolicy: string; maxMessageBytes: number };

  constructor(
    admin: Admin,
    defaults: { partitions: number; replicationFactor: number; cleanupPolicy: string; maxMessageBytes: number },
  ) {
    this.admin = admin;
    this.defaults = defaults;
  }

  /** Number of partitions of an existing topic (cached: partitions are only ever added by hand). */
  async partitions(topic: string): Promise<number> {
    const hit = this.partitionCount.get(topic);
    if (hit) return hit;
    const meta = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const n = meta.topics[0]?.partitions.length ?? 1;
    this.partitionCount.set(topic, n);
    return n;
  }

  async ensure(topic: string, overrides: { partitions?: number; cleanupPolicy?: string } = {}): Promise<void> {
    if (this.known.has(topic)) return;
    if (!this.listed) {
      for (const t of await this.admin.listTopics()) this.known.add(t);
      this.listed = true;
      if (this.known.has(topic)) return;
    }
    const maxMessageBytes = String(this.defaults.maxMessageBytes);
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: overrides.partitions ?? this.defaults.partitions,
            replicationFactor: this.defaults.replicationFactor,
            configEntries: [
              { name: 'cleanup.policy', value: overrides.cleanupPolicy ?? this.defaults.cleanupPolicy },
              { name: 'max.message.bytes', value: maxMessageBytes },
            ],
          },
        ],
      });
    } catch (err) {
      throw classifyKafkaError(err, `creating topic ${topic}`);
    }
    this.known.add(topic);
    this.limits.set(topic, this.defaults.maxMessageBytes);
  }

  /**
   * Makes sure the topic takes a record batch of `bytes`: reads its max.message.bytes once and,
   * when it is smaller, raises it to the configured size. Other settings set on the topic are
   * carried over (AlterConfigs replaces the whole set).
   */
  async fit(topic: string, bytes: number): Promise<void> {
    const known = this.limits.get(topic);
    if (known !== undefined && known >= bytes) return;
    const entries = await this.topicConfig(topic);
    const current = Number(
      entries.find((e) => e.configName === 'max.message.bytes')?.configValue ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
    );
    this.limits.set(topic, current);
    if (current >= bytes) return;
    const wanted = Math.max(bytes, this.defaults.maxMessageBytes);
    const keep = entries
      .filter((e) => e.configSource === DYNAMIC_TOPIC_CONFIG && e.configName !== 'max.message.bytes')
      .map((e) => ({ name: e.configName, value: e.configValue }));
    try {
      await this.admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: [...keep, { name: 'max.message.bytes', value: String(wanted) }],
          },
        ],
      });
    } catch (err) {
      throw classifyKafkaError(err, `raising max.message.bytes of topic ${topic} to ${wanted}`);
    }
    this.limits.set(topic, wanted);
  }

  private async topicConfig(topic: string) {
    try {
      const res = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      });
      return res.resources[0]?.configEntries ?? [];
    } catch (err) {
      throw classifyKafkaError(err, `reading the configuration of topic ${topic}`);
    }
  }
}
