import { tableTopic } from '@sluice/core';
import type { Admin } from 'kafkajs';

/**
 * Creates topics on first use. Idempotent: an existing topic is fine; settings of existing topics
 * are left alone.
 */
export class TopicManager {
  private readonly admin: Admin;
  private readonly known = new Set<string>();
  private listed = false;
  private readonly partitionCount = new Map<string, number>();
  private readonly defaults: { partitions: number; replicationFactor: number; cleanupPolicy: string };

  constructor(admin: Admin, defaults: { partitions: number; replicationFactor: number; cleanupPolicy: string }) {
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
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: overrides.partitions ?? this.defaults.partitions,
          replicationFactor: this.defaults.replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: overrides.cleanupPolicy ?? this.defaults.cleanupPolicy }],
        },
      ],
    });
    this.known.add(topic);
  }
}
