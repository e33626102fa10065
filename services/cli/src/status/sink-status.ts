import { heartbeatTopic, type KafkaAdmin, tableTopicPattern } from '@sluice/core';

/** One partition of a sink group: where it has committed and where the topic ends. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1: nothing committed yet (the sink will start at the beginning). */
  committed: number;
  low: number;
  high: number;
  /** Offsets between the committed offset and the end (transaction markers take an offset each). */
  lag: number;
  /** The heartbeat topic: its lag says how fresh the target is, not what data is left to apply. */
  heartbeat: boolean;
}

export interface SinkGroup {
  name: string;
  /** Kafka knows the group: it has members, or committed offsets on the prefix's topics. */
  exists: boolean;
  state: string;
  members: { clientId: string; host: string }[];
  partitions: PartitionLag[];
}

/**
 * Sink groups are the consumer groups with committed offsets on the prefix's table or heartbeat
 * topics (reader groups of tools commit nothing). `only` names the groups to look at instead.
 */
export async function findSinkGroups(admin: KafkaAdmin, prefix: string, only: string[]): Promise<string[]> {
  if (only.length) return only;
  const pattern = tableTopicPattern(prefix);
  const heartbeats = heartbeatTopic(prefix);
  const { groups } = await admin.listGroups();
  const out: string[] = [];
  for (const g of groups.filter((x) => x.protocolType === 'consumer' || x.protocolType === '')) {
    const offsets = await admin.fetchOffsets({ groupId: g.groupId });
    const mine = offsets.some(
      (t) => (pattern.test(t.topic) || t.topic === heartbeats) && t.partitions.some((p) => Number(p.offset) >= 0),
    );
    if (mine) out.push(g.groupId);
  }
  return out.sort();
}

/** A sink group's members and, per partition of every table topic of the prefix, its lag. */
export async function readSinkGroup(admin: KafkaAdmin, name: string, prefix: string): Promise<SinkGroup> {
  const pattern = tableTopicPattern(prefix);
  const topics = (await admin.listTopics()).filter((t) => pattern.test(t) || t === heartbeatTopic(prefix)).sort();
  const [described] = (await admin.describeGroups([name])).groups;
  const committed = await admin.fetchOffsets({ groupId: name, topics });
  const partitions: PartitionLag[] = [];
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic);
    for (const e of ends) {
      const c = Number(mine?.partitions.find((p) => p.partition === e.partition)?.offset ?? -1);
      const low = Number(e.low);
      const high = Number(e.high);
      const lag = Math.max(0, high - (c >= 0 ? c : low));
      partitions.push({
        topic,
        partition: e.partition,
        committed: c,
        low,
        high,
        lag,
        heartbeat: topic === heartbeatTopic(prefix),
      });
    }
  }
  const members = described?.members ?? [];
  return {
    name,
    exists: members.length > 0 || partitions.some((p) => p.committed >= 0),
    state: described?.state ?? 'Unknown',
    members: members.map((m) => ({ clientId: m.clientId, host: m.clientHost })),
    partitions,
  };
}
