import { SluiceError } from '../../errors.ts';
import {
  CONFIG_RESOURCE,
  type ConfigEntry,
  type DescribedConfigs,
  DYNAMIC_TOPIC_CONFIG,
  type GroupDescription,
  type KafkaAdmin,
  type PartitionEnds,
  type TopicMetadata,
  type TopicSpec,
} from '../port/admin.ts';
import type { PartitionOffset } from '../port/records.ts';
import type { FakeKafka, FakeTopic } from './fake-kafka.ts';

/** The fake's admin: one broker (id 1) leading every partition; configs are the ones set on topics. */
export class FakeAdmin implements KafkaAdmin {
  private readonly kafka: FakeKafka;

  constructor(kafka: FakeKafka) {
    this.kafka = kafka;
  }

  async connect(): Promise<void> {
    await this.kafka.operation({ kind: 'connect' });
  }

  async disconnect(): Promise<void> {}

  async describeCluster() {
    return { brokers: [{ nodeId: 1, host: 'fake', port: 9092 }], controller: 1, clusterId: 'fake' };
  }

  async listTopics(): Promise<string[]> {
    return [...this.kafka.topics.keys()];
  }

  async createTopics(request: { topics: TopicSpec[] }): Promise<boolean> {
    let created = false;
    for (const t of request.topics) {
      if (this.kafka.topics.has(t.topic)) continue;
      created = true;
      const configs = Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value]));
      this.kafka.createTopic(t.topic, t.numPartitions ?? 1, configs);
    }
    return created;
  }

  async deleteTopics(request: { topics: string[] }): Promise<void> {
    for (const t of request.topics) this.kafka.topics.delete(t);
  }

  async fetchTopicMetadata(request: { topics: string[] }): Promise<{ topics: TopicMetadata[] }> {
    return {
      topics: request.topics.map((name) => ({
        name,
        partitions: this.topic(name).partitions.map((_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1] })),
      })),
    };
  }

  async describeConfigs(request: {
    resources: { type: number; name: string; configNames?: string[] }[];
  }): Promise<DescribedConfigs> {
    return {
      resources: request.resources.map((r) => {
        const set = r.type === CONFIG_RESOURCE.TOPIC ? this.topic(r.name).configs : new Map<string, string>();
        const entries = [...set].filter(([name]) => !r.configNames || r.configNames.includes(name));
        return {
          resourceType: r.type,
          resourceName: r.name,
          errorCode: 0,
          errorMessage: null,
          configEntries: entries.map(([configName, configValue]) => ({
            configName,
            configValue,
            configSource: DYNAMIC_TOPIC_CONFIG,
            readOnly: false,
            isDefault: false,
          })),
        };
      }),
    };
  }

  async alterConfigs(request: { resources: { type: number; name: string; configEntries: ConfigEntry[] }[] }): Promise<unknown> {
    for (const r of request.resources) {
      if (r.type !== CONFIG_RESOURCE.TOPIC) continue;
      this.topic(r.name).configs = new Map(r.configEntries.map((e) => [e.name, e.value]));
    }
    return undefined;
  }

  async fetchTopicOffsets(topic: string): Promise<PartitionEnds[]> {
    const t = this.topic(topic);
    return t.partitions.map((log, partition) => {
      const low = t.low[partition] ?? 0;
      const high = String(low + log.length);
      return { partition, offset: high, high, low: String(low) };
    });
  }

  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<{ partition: number; offset: string }[]> {
    const t = this.topic(topic);
    return t.partitions.map((log, partition) => {
      const hit = log.find((m) => timestamp === undefined || Number(m.timestamp) >= timestamp);
      return { partition, offset: hit?.offset ?? String((t.low[partition] ?? 0) + log.length) };
    });
  }

  async deleteTopicRecords(request: { topic: string; partitions: { partition: number; offset: string }[] }): Promise<void> {
    const t = this.topic(request.topic);
    for (const { partition, offset } of request.partitions) {
      const low = t.low[partition] ?? 0;
      const drop = Math.max(0, Number(offset) - low);
      t.partitions[partition]?.splice(0, drop);
      t.low[partition] = low + drop;
    }
  }

  async listGroups(): Promise<{ groups: { groupId: string; protocolType: string }[] }> {
    return { groups: [...this.kafka.groups.keys()].map((groupId) => ({ groupId, protocolType: 'consumer' })) };
  }

  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    return { groups: groupIds.map((groupId) => ({ groupId, state: 'Empty', protocolType: 'consumer', members: [] })) };
  }

  async deleteGroups(groupIds: string[]): Promise<unknown> {
    for (const g of groupIds) this.kafka.groups.delete(g);
    return groupIds.map((groupId) => ({ groupId, errorCode: 0 }));
  }

  async fetchOffsets(request: { groupId: string; topics?: string[] }) {
    const group = this.kafka.groups.get(request.groupId) ?? new Map<string, string>();
    const topics = request.topics ?? [...new Set([...group.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))];
    return topics.map((topic) => ({
      topic,
      partitions: this.topic(topic).partitions.map((_, partition) => ({
        partition,
        offset: group.get(`${topic}:${partition}`) ?? '-1',
        metadata: null,
      })),
    }));
  }

  async setOffsets(request: { groupId: string; topic: string; partitions: Omit<PartitionOffset, 'topic'>[] }): Promise<void> {
    const group = this.kafka.groups.get(request.groupId) ?? new Map<string, string>();
    this.kafka.groups.set(request.groupId, group);
    for (const p of request.partitions) group.set(`${request.topic}:${p.partition}`, p.offset);
  }

  async resetOffsets(request: { groupId: string; topic: string; earliest: boolean }): Promise<void> {
    const ends = await this.fetchTopicOffsets(request.topic);
    await this.setOffsets({
      groupId: request.groupId,
      topic: request.topic,
      partitions: ends.map((e) => ({ partition: e.partition, offset: request.earliest ? e.low : e.high })),
    });
  }

  private topic(name: string): FakeTopic {
    const t = this.kafka.topics.get(name);
    if (!t) throw new SluiceError('KAFKA_UNAVAILABLE', `fake kafka: no topic ${name}`);
    return t;
  }
}
