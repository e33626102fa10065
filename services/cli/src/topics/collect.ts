import type { KafkaAdmin } from '@sluice/core';
import { readTopicConfigs } from '../shared/topic-configs.ts';
import { readSizes, type TopicSize } from './sizes.ts';
import { compactionWarning, prefixTopics, type TopicKind } from './topic-kinds.ts';

export interface TopicInfo {
  topic: string;
  kind: TopicKind;
  partitions: number;
  cleanupPolicy: string;
  retentionMs: number;
  /** End offset minus start offset, summed over partitions: an upper bound of the records held. */
  records: number;
  /** Bytes held by the partitions' leader replicas (DescribeLogDirs); null when unknown. */
  size: number | null;
  offsets: { partition: number; low: number; high: number; size: number | null }[];
}

export interface TopicsReport {
  prefix: string;
  topics: TopicInfo[];
  /** Table topics that may not hold a full copy of their table. */
  warnings: string[];
  /** Why sizes are unknown, when they are. */
  notes: string[];
}

/** Every topic of a prefix with its partitions, cleanup and retention settings, offsets and sizes. */
export async function collectTopics(admin: KafkaAdmin, prefix: string, all?: string[]): Promise<TopicsReport> {
  const mine = prefixTopics(prefix, all ?? (await admin.listTopics()));
  const names = mine.map((t) => t.topic);
  const configs = await readTopicConfigs(admin, names);
  // Sizes are extra: without them the report is still worth printing.
  const { sizes, notes } = await readSizes(admin, names).catch((err: Error) => ({
    sizes: new Map<string, TopicSize>(),
    notes: [`sizes are unknown: ${err.message}`],
  }));
  const topics: TopicInfo[] = [];
  const warnings: string[] = [];
  for (const { topic, kind } of mine) {
    const size = sizes.get(topic);
    const offsets = (await admin.fetchTopicOffsets(topic))
      .map((o) => ({
        partition: o.partition,
        low: Number(o.low),
        high: Number(o.high),
        size: size?.partitions.get(o.partition) ?? null,
      }))
      .sort((a, b) => a.partition - b.partition);
    const config = configs.get(topic) ?? { cleanupPolicy: 'unknown', retentionMs: -1 };
    topics.push({
      topic,
      kind,
      partitions: offsets.length,
      ...config,
      records: offsets.reduce((n, o) => n + Math.max(0, o.high - o.low), 0),
      size: size?.size ?? null,
      offsets,
    });
    const warning =
      kind === 'table'
        ? compactionWarning(
            topic,
            config,
            offsets.reduce((n, o) => n + o.low, 0),
          )
        : undefined;
    if (warning) warnings.push(warning);
  }
  return { prefix, topics, warnings, notes };
}
