import { checkpointTopic, heartbeatTopic, schemaChangeTopic, tableTopicPattern } from '@sluice/core';
import { duration } from '../output/table.ts';
import { deletesOldRecords, type TopicConfig } from '../shared/topic-configs.ts';

/** What a topic of a prefix is for. */
export type TopicKind = 'checkpoints' | 'heartbeats' | 'schema_changes' | 'table' | 'dlq';

const ORDER: TopicKind[] = ['checkpoints', 'heartbeats', 'schema_changes', 'table', 'dlq'];

/** The kind of a topic of `prefix`, or undefined for topics that are not sluice's (or of another prefix). */
export function topicKind(prefix: string, topic: string): TopicKind | undefined {
  if (topic === checkpointTopic(prefix)) return 'checkpoints';
  if (topic === heartbeatTopic(prefix)) return 'heartbeats';
  if (topic === schemaChangeTopic(prefix)) return 'schema_changes';
  if (tableTopicPattern(prefix).test(topic)) return 'table';
  if (topic.startsWith(`${prefix}.dlq.`) && topic.length > prefix.length + 5) return 'dlq';
  return undefined;
}

/** The topics of a prefix with their kind: internal ones first, then tables, then dead-letter queues, each by name. */
export function prefixTopics(prefix: string, all: string[]): { topic: string; kind: TopicKind }[] {
  return all
    .flatMap((topic) => {
      const kind = topicKind(prefix, topic);
      return kind ? [{ topic, kind }] : [];
    })
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}

/** Prefixes that have a checkpoint topic: what to suggest when a prefix has no topics. */
export const knownPrefixes = (all: string[]): string[] =>
  all
    .filter((t) => t.endsWith('._checkpoints'))
    .map((t) => t.slice(0, -'._checkpoints'.length))
    .sort();

/** " (prefixes with topics: a, b, … 40 more)" for an error message, or "" when there are none. */
export function prefixHint(all: string[], except: string, shown = 10): string {
  const others = knownPrefixes(all).filter((p) => p !== except);
  if (!others.length) return '';
  const more = others.length > shown ? `, … ${others.length - shown} more` : '';
  return ` (prefixes with topics: ${others.slice(0, shown).join(', ')}${more})`;
}

/** retention.ms for people: "7 d", "12 h", "forever". */
export function retentionText(ms: number): string {
  if (ms < 0) return 'forever';
  const day = 86_400_000;
  if (ms >= day && ms % day === 0) return `${ms / day} d`;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return duration(ms);
}

/** Bytes for people, in binary units: "512 B", "12.3 MiB"; "unknown" for null. */
export function sizeText(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let n = bytes;
  let i = 0;
  // 1023.95 KiB would print as "1024.0 KiB": move up a unit first.
  while (n >= 1023.95 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/**
 * Why a table topic may not hold a full copy of its table, or undefined when it does (compacted
 * only: the last image of every key stays). `low` is the partitions' first offsets summed: above
 * 0 on a deleting topic, records are already gone.
 */
export function compactionWarning(topic: string, c: TopicConfig, low: number): string | undefined {
  if (!deletesOldRecords(c)) return undefined;
  const age =
    c.retentionMs < 0
      ? 'never (retention.ms -1), but records can still be deleted by hand or by size'
      : `after ${retentionText(c.retentionMs)}`;
  const gone = low > 0 ? `; ${low.toLocaleString('en-US')} records are gone already (first offsets above 0)` : '';
  return `${topic}: cleanup.policy=${c.cleanupPolicy} deletes old records (${age})${gone}, so Kafka alone may not hold the last image of every row`;
}
