import type { PartitionOffset } from './records.ts';

/** Kafka's config resource types (protocol numbers). */
export const CONFIG_RESOURCE = { TOPIC: 2, BROKER: 4 } as const;
/** Kafka's ConfigSource for a value set on the topic itself (the only ones an AlterConfigs must carry over). */
export const DYNAMIC_TOPIC_CONFIG = 1;

export interface ConfigEntry {
  name: string;
  value: string;
}

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: ConfigEntry[];
}

export interface DescribedConfigs {
  resources: {
    resourceType: number;
    resourceName: string;
    errorCode: number;
    errorMessage: string | null;
    configEntries: { configName: string; configValue: string; configSource: number; readOnly: boolean; isDefault: boolean }[];
  }[];
}

export interface TopicMetadata {
  name: string;
  partitions: { partitionId: number; leader: number; replicas: number[]; isr: number[] }[];
}

/** A partition's ends: `low` the first offset kept, `high` the end (the last stable offset: read_committed). */
export interface PartitionEnds {
  partition: number;
  offset: string;
  high: string;
  low: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  members: GroupMember[];
}

/**
 * Cluster administration: topics and their configs, partitions and their ends, consumer groups and
 * their offsets. connect() before use, disconnect() after. Errors are the client's: read them with
 * classifyKafkaError. (Replica sizes come from describeLogDirs in log-dirs.ts, which speaks the
 * protocol itself: no client offers it.)
 */
export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  describeCluster(): Promise<{
    brokers: { nodeId: number; host: string; port: number }[];
    controller: number | null;
    clusterId: string;
  }>;

  listTopics(): Promise<string[]>;
  /** Resolves false when the topic existed already. */
  createTopics(request: { topics: TopicSpec[]; waitForLeaders?: boolean; timeout?: number }): Promise<boolean>;
  deleteTopics(request: { topics: string[]; timeout?: number }): Promise<void>;
  fetchTopicMetadata(request: { topics: string[] }): Promise<{ topics: TopicMetadata[] }>;
  describeConfigs(request: {
    resources: { type: number; name: string; configNames?: string[] }[];
    includeSynonyms: boolean;
  }): Promise<DescribedConfigs>;
  /** Replaces the resource's whole set of dynamic configs with these. */
  alterConfigs(request: {
    validateOnly: boolean;
    resources: { type: number; name: string; configEntries: ConfigEntry[] }[];
  }): Promise<unknown>;

  fetchTopicOffsets(topic: string): Promise<PartitionEnds[]>;
  /** Per partition, the first offset whose timestamp is at or after `timestamp` (the end when none). */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<{ partition: number; offset: string }[]>;
  /** Deletes the partitions' records before the offsets. */
  deleteTopicRecords(request: { topic: string; partitions: { partition: number; offset: string }[] }): Promise<void>;

  listGroups(): Promise<{ groups: { groupId: string; protocolType: string }[] }>;
  describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }>;
  deleteGroups(groupIds: string[]): Promise<unknown>;
  /** A group's committed offsets ("-1" for a partition without one); all its topics when `topics` is absent. */
  fetchOffsets(request: {
    groupId: string;
    topics?: string[];
  }): Promise<{ topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]>;
  /** Sets a group's offsets (the group must have no members). */
  setOffsets(request: { groupId: string; topic: string; partitions: Omit<PartitionOffset, 'topic'>[] }): Promise<void>;
  /** Sets a group's offsets of the topic to its start (earliest) or end (the group must have no members). */
  resetOffsets(request: { groupId: string; topic: string; earliest: boolean }): Promise<void>;
}
