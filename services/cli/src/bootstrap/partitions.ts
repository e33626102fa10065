import { TableFilter } from '@sluice/capture/src/source/table-filter.ts';
import type { KafkaAdmin } from '@sluice/core';
import { readTopicConfigs, type TopicConfig } from '../shared/topic-configs.ts';
import type { TopicTables } from '../shared/topic-tables.ts';
import { prefixTopics } from '../topics/topic-kinds.ts';
import type { BootstrapPartition, GroupState } from './plan.ts';

/**
 * What a new sink group of `prefix` will read: every partition of every table topic (marked
 * selected when it matches the `db.table` patterns, or there are none) and of the heartbeat
 * topic, with first and end offsets, and the topics' cleanup settings. `tables` names the table
 * of each topic (mapped topic names do not spell it).
 */
export async function readBootstrapPartitions(
  admin: KafkaAdmin,
  prefix: string,
  patterns: string[],
  all: string[],
  tables: TopicTables,
): Promise<{ parts: BootstrapPartition[]; configs: Map<string, TopicConfig> }> {
  const filter = patterns.length ? new TableFilter({ include: patterns, exclude: [] }) : undefined;
  const topics = prefixTopics(prefix, all).filter((t) => t.kind === 'table' || t.kind === 'heartbeats');
  const parts: BootstrapPartition[] = [];
  for (const { topic, kind } of topics) {
    const n = filter && kind === 'table' ? await tables.of(topic) : undefined;
    const selected = kind === 'heartbeats' || !filter || (n !== undefined && filter.matches(n.db, n.table));
    const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
    for (const o of offsets) {
      parts.push({
        topic,
        partition: o.partition,
        low: Number(o.low),
        high: Number(o.high),
        kind: kind === 'heartbeats' ? 'heartbeats' : 'table',
        selected,
      });
    }
  }
  const configs = await readTopicConfigs(admin, [...new Set(parts.map((p) => p.topic))]);
  return { parts, configs };
}

/** The group's committed offsets (on any topic) and active members. */
export async function readGroupState(admin: KafkaAdmin, group: string): Promise<GroupState> {
  const [described] = (await admin.describeGroups([group])).groups;
  const offsets = await admin.fetchOffsets({ groupId: group });
  return {
    committed: offsets.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })),
    ),
    members: (described?.members ?? []).map((m) => ({ clientId: m.clientId, host: m.clientHost })),
  };
}
