import { TableFilter } from '@sluice/capture/src/source/table-filter.ts';
import { type KafkaAdmin, tableTopicPattern } from '@sluice/core';
import { deletesOldRecords, readTopicConfigs } from '../shared/topic-configs.ts';
import type { TopicTables } from '../shared/topic-tables.ts';
import type { PartitionState } from './plan.ts';

/**
 * The partitions a replay of `group` touches: every table topic of the prefix (the sink reads
 * them all), narrowed by `db.table` patterns, with the group's committed offsets, each
 * partition's first and end offsets, the first offset at `timeMs` when asked, and retention.
 * `tables` names the table of each topic (mapped topic names do not spell it).
 */
export async function readPartitions(
  admin: KafkaAdmin,
  opts: { group: string; prefix: string; patterns: string[]; tables: TopicTables; timeMs?: number },
): Promise<PartitionState[]> {
  const filter = opts.patterns.length ? new TableFilter({ include: opts.patterns, exclude: [] }) : undefined;
  const pattern = tableTopicPattern(opts.prefix);
  const topics: string[] = [];
  for (const t of (await admin.listTopics()).filter((x) => pattern.test(x)).sort()) {
    const n = filter ? await opts.tables.of(t) : undefined;
    if (!filter || (n !== undefined && filter.matches(n.db, n.table))) topics.push(t);
  }
  if (!topics.length) return [];
  const committed = await admin.fetchOffsets({ groupId: opts.group, topics });
  const retention = await retentionByTopic(admin, topics);
  const out: PartitionState[] = [];
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const atTime = opts.timeMs === undefined ? undefined : await admin.fetchTopicOffsetsByTimestamp(topic, opts.timeMs);
    const mine = committed.find((c) => c.topic === topic);
    for (const e of ends) {
      const at = atTime?.find((a) => a.partition === e.partition);
      out.push({
        topic,
        partition: e.partition,
        committed: Number(mine?.partitions.find((p) => p.partition === e.partition)?.offset ?? -1),
        low: Number(e.low),
        high: Number(e.high),
        ...(at ? { atTime: Number(at.offset) } : {}),
        ...(retention.has(topic) ? { retentionMs: retention.get(topic) } : {}),
      });
    }
  }
  return out;
}

/** retention.ms of the topics that delete old records; compacted-only topics keep a last image per key. */
async function retentionByTopic(admin: KafkaAdmin, topics: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [topic, c] of await readTopicConfigs(admin, topics)) if (deletesOldRecords(c)) out.set(topic, c.retentionMs);
  return out;
}
