import { CONFIG_RESOURCE, type KafkaAdmin } from '@sluice/core';

/** The settings that say how long a topic keeps its records. */
export interface TopicConfig {
  /** `compact`, `delete` or `compact,delete`. */
  cleanupPolicy: string;
  /** -1: forever; applies only where the policy includes delete. */
  retentionMs: number;
}

/** cleanup.policy and retention.ms of each topic (the broker's defaults where the topic sets none). */
export async function readTopicConfigs(admin: KafkaAdmin, topics: string[]): Promise<Map<string, TopicConfig>> {
  const out = new Map<string, TopicConfig>();
  if (!topics.length) return out;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: CONFIG_RESOURCE.TOPIC, name, configNames: ['cleanup.policy', 'retention.ms'] })),
  });
  for (const r of resources) {
    const get = (k: string) => r.configEntries.find((e) => e.configName === k)?.configValue;
    out.set(r.resourceName, { cleanupPolicy: get('cleanup.policy') ?? 'delete', retentionMs: Number(get('retention.ms') ?? -1) });
  }
  return out;
}

/** Whether Kafka may drop a key's last image: any policy that deletes by age. */
export const deletesOldRecords = (c: TopicConfig): boolean => c.cleanupPolicy.split(',').some((p) => p.trim() === 'delete');
