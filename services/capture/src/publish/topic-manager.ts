import { classifyKafkaError, ensureMaxMessageBytes, type KafkaAdmin, tableTopic } from '@sluice/core';

/**
 * Creates topics on first use, sized for the largest record capture publishes (max.message.bytes
 * from maxRecordBytes). Idempotent: an existing topic is fine; its settings are left alone
 * except that fit() raises its max.message.bytes when a record needs it (topics created by an
 * older version keep Kafka's 1 MiB default until then).
 */
export class TopicManager {
  private readonly admin: KafkaAdmin;
  private readonly known = new Set<string>();
  private listed = false;
  private readonly partitionCount = new Map<string, number>();
  /** max.message.bytes by topic, as read or set by this process. */
  private readonly limits = new Map<string, number>();
  private readonly defaults: { partitions: number; replicationFactor: number; cleanupPolicy: string; maxMessageBytes: number };

  constructor(
    admin: KafkaAdmin,
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

  /**
   * The topic of a source table, resolved against every topic Kafka has (table-topic.ts), so
   * that a new name never folds into an existing one. `relist` reads the listing again (after
   * Kafka refused a name another client took meanwhile).
   */
  async tableTopic(prefix: string, db: string, table: string, relist = false): Promise<string> {
    if (!this.listed || relist) {
      for (const t of await this.admin.listTopics()) this.known.add(t);
      this.listed = true;
    }
    return tableTopic(prefix, db, table, this.known);
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
   * when it is smaller, raises it to at least the configured size.
   */
  async fit(topic: string, bytes: number): Promise<void> {
    const known = this.limits.get(topic);
    if (known !== undefined && known >= bytes) return;
    this.limits.set(topic, await ensureMaxMessageBytes(this.admin, topic, Math.max(bytes, this.defaults.maxMessageBytes)));
  }
}
