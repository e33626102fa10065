import { CONFIG_RESOURCE, type KafkaAdmin, SluiceError } from '@sluice/core';

/** How long a topic keeps its records: what a base read from it can rely on. */
export interface TopicRetention {
  topic: string;
  /** `compact`, `delete` or `compact,delete`. */
  cleanupPolicy: string;
  /** -1: no limit. */
  retentionMs: number;
  retentionBytes: number;
}

// Kafka's own defaults, for a config the broker does not report (it reports every one).
const DEFAULTS = { 'cleanup.policy': 'delete', 'retention.ms': '604800000', 'retention.bytes': '-1' };

/**
 * Whether a topic keeps every row's last image: compaction alone removes a record only once a
 * newer one of its key exists; a policy with `delete` drops old segments by age or size, unless
 * both limits are off (-1).
 */
export function keepsEveryRow(r: TopicRetention): boolean {
  const deletes = r.cleanupPolicy.split(',').some((p) => p.trim() === 'delete');
  return !deletes || (r.retentionMs === -1 && r.retentionBytes === -1);
}

/** cleanup.policy, retention.ms and retention.bytes of each topic, through the Kafka port's admin. */
export async function readTopicRetention(admin: KafkaAdmin, topics: string[]): Promise<TopicRetention[]> {
  if (!topics.length) return [];
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: CONFIG_RESOURCE.TOPIC, name, configNames: Object.keys(DEFAULTS) })),
  });
  return resources.map((r) => {
    if (r.errorCode) {
      throw new SluiceError(
        'KAFKA_UNAVAILABLE',
        `reading the configs of topic ${r.resourceName}: ${r.errorMessage ?? `error ${r.errorCode}`}`,
      );
    }
    const get = (k: keyof typeof DEFAULTS) => r.configEntries.find((e) => e.configName === k)?.configValue ?? DEFAULTS[k];
    return {
      topic: r.resourceName,
      cleanupPolicy: get('cleanup.policy'),
      retentionMs: Number(get('retention.ms')),
      retentionBytes: Number(get('retention.bytes')),
    };
  });
}

/**
 * Refuses a base of topics that may have dropped old rows (BACKUP_TOPIC_NOT_COMPACTED, naming
 * each with its policy and retention): such a base would silently miss them.
 */
export async function requireTopicsKeepEveryRow(admin: KafkaAdmin, topics: string[]): Promise<void> {
  const bad = (await readTopicRetention(admin, topics)).filter((r) => !keepsEveryRow(r));
  if (!bad.length) return;
  const what = bad
    .map(
      (r) => `${r.topic} (cleanup.policy=${r.cleanupPolicy}, retention.ms=${r.retentionMs}, retention.bytes=${r.retentionBytes})`,
    )
    .join(', ');
  throw new SluiceError(
    'BACKUP_TOPIC_NOT_COMPACTED',
    `sluice backup: ${bad.length === 1 ? 'a topic does' : `${bad.length} topics do`} not keep every row, so a base read from ${bad.length === 1 ? 'it' : 'them'} could miss old rows: ${what}; ` +
      'make them cleanup.policy=compact, or set retention.ms=-1 and retention.bytes=-1, or leave those tables out with --tables',
  );
}
