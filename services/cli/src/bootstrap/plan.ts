import type { TopicConfig } from '../shared/topic-configs.ts';
import { compactionWarning } from '../topics/topic-kinds.ts';

/** A partition the new group will read: a table topic's or the heartbeat topic's. */
export interface BootstrapPartition {
  topic: string;
  partition: number;
  low: number;
  high: number;
  kind: 'table' | 'heartbeats';
  /** Matched by --tables (every table without it; heartbeats always). */
  selected: boolean;
}

export interface BootstrapRow {
  topic: string;
  partition: number;
  kind: 'table' | 'heartbeats';
  /** earliest: the sink applies everything the partition holds; end: only what comes from now on. */
  start: 'earliest' | 'end';
  to: number;
  /** Offsets the sink will apply (records, plus transaction markers and compaction gaps: an upper bound). */
  apply: number;
}

/** What is known about the group before it is touched. */
export interface GroupState {
  committed: { topic: string; partition: number; offset: number }[];
  members: { clientId: string; host: string }[];
}

/**
 * A group is new when it has no committed offset anywhere and no member. An existing group keeps
 * its position: bootstrap would throw its progress away; replay is the tool for that.
 */
export function bootstrapRefusals(group: string, s: GroupState): string[] {
  const out: string[] = [];
  const replay = `to re-apply history to an existing sink use sluice replay --sink ${group} --earliest`;
  if (s.members.length) {
    out.push(
      `sink group ${group} has ${s.members.length} active member(s) (${s.members.map((m) => `${m.clientId}@${m.host}`).join(', ')}): ` +
        `it is running, not new; bootstrap prepares new sink groups only (pick a new name; ${replay} after stopping it)`,
    );
  }
  const committed = s.committed.filter((c) => c.offset >= 0);
  if (committed.length) {
    const some = committed
      .slice(0, 3)
      .map((c) => `${c.topic}:${c.partition}@${c.offset}`)
      .join(', ');
    out.push(
      `sink group ${group} already has committed offsets on ${committed.length} partition(s) (${some}${committed.length > 3 ? ', …' : ''}): ` +
        `it is not new; bootstrap prepares new sink groups only (pick a new name; ${replay})`,
    );
  }
  return out;
}

/** Selected partitions from their first offset, the others from their end. */
export function planBootstrap(parts: BootstrapPartition[]): BootstrapRow[] {
  return parts.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    kind: p.kind,
    start: p.selected ? 'earliest' : 'end',
    to: p.selected ? p.low : p.high,
    apply: p.selected ? Math.max(0, p.high - p.low) : 0,
  }));
}

/**
 * What the operator should know before starting the sink: selected table topics that delete old
 * records (Kafka alone may not hold a full copy), table topics left out by --tables (the sink still
 * reads them, from now on), and a dead-letter topic already named after the sink.
 */
export function bootstrapWarnings(
  parts: BootstrapPartition[],
  configs: Map<string, TopicConfig>,
  dlqTopic: string | undefined,
): string[] {
  const out: string[] = [];
  const topics = [...new Set(parts.filter((p) => p.kind === 'table' && p.selected).map((p) => p.topic))];
  for (const t of topics) {
    const c = configs.get(t);
    const low = parts.filter((p) => p.topic === t).reduce((n, p) => n + p.low, 0);
    const w = c ? compactionWarning(t, c, low) : `${t}: cleanup.policy unknown, cannot tell whether Kafka holds a full copy`;
    if (w) out.push(w);
  }
  const skipped = [...new Set(parts.filter((p) => p.kind === 'table' && !p.selected).map((p) => p.topic))];
  if (skipped.length) {
    out.push(
      `${skipped.length} table topic(s) not matched by --tables start at their end (${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''}): ` +
        'the sink reads every table topic of the prefix, so it will write only their rows changed from now on',
    );
  }
  if (dlqTopic) out.push(`the dead-letter topic ${dlqTopic} exists: a sink of this name ran before`);
  return out;
}

/** The command that starts the sink this group is prepared for. */
export function nextStep(opts: { group: string; prefix: string; sinkConfig?: string; configSinkName?: string }): string {
  const env = opts.configSinkName === opts.group ? '' : `SLUICE_SINK_NAME=${opts.group} `;
  if (opts.sinkConfig) return `${env}npx sluice-sink --config ${opts.sinkConfig}`;
  return (
    `${env}npx sluice-sink --config <sink config: the new target's url and kind, routes if its tables are named differently, ` +
    `topicPrefix: ${opts.prefix}>`
  );
}
