import {
  describeLogDirs,
  type KafkaAdmin,
  type LogDirsRequestTopic,
  logDirErrors,
  replicaSizes,
  SluiceError,
} from '@sluice/core';

/** Where each partition of a topic is led: broker id, -1 without a leader. */
export type Leaders = Map<string, { partition: number; leader: number }[]>;
/** Per broker id: bytes per topic and partition of its replicas, or why they are unknown. */
export type BrokerSizes = Map<number, Map<string, Map<number, number>> | Error>;

export interface TopicSize {
  /** Bytes of the leader replicas of all partitions; null when one of them is unknown. */
  size: number | null;
  partitions: Map<number, number | null>;
}

/**
 * A topic's size is what its partition leaders hold: one copy of the data, as a reader sees it
 * (each follower holds about as much again). Unknown partitions make the topic unknown.
 */
export function leaderSizes(leaders: Leaders, brokers: BrokerSizes): Map<string, TopicSize> {
  const out = new Map<string, TopicSize>();
  for (const [topic, parts] of leaders) {
    const partitions = new Map<number, number | null>();
    for (const { partition, leader } of parts) {
      const replicas = brokers.get(leader);
      partitions.set(partition, replicas instanceof Map ? (replicas.get(topic)?.get(partition) ?? null) : null);
    }
    const known = [...partitions.values()];
    out.set(topic, {
      size: known.every((n) => n !== null) ? known.reduce<number>((a, n) => a + (n ?? 0), 0) : null,
      partitions,
    });
  }
  return out;
}

/**
 * Partition leaders (kafkajs metadata) and their replicas' sizes (DescribeLogDirs, one request
 * per leading broker, all at once). A broker that cannot be asked or refuses leaves its
 * partitions unknown and adds a note: the rest of `sluice topics` does not depend on sizes.
 */
export async function readSizes(
  admin: KafkaAdmin,
  topics: string[],
  timeoutMs = 10_000,
): Promise<{ sizes: Map<string, TopicSize>; notes: string[] }> {
  if (!topics.length) return { sizes: new Map(), notes: [] };
  const [{ brokers }, { topics: meta }] = await Promise.all([admin.describeCluster(), admin.fetchTopicMetadata({ topics })]);
  const leaders: Leaders = new Map(
    meta.map((t) => [t.name, t.partitions.map((p) => ({ partition: p.partitionId, leader: p.leader ?? -1 }))]),
  );
  // Each broker is asked for the partitions it leads only.
  const led = new Map<number, Map<string, number[]>>();
  for (const [topic, parts] of leaders) {
    for (const { partition, leader } of parts) {
      const byTopic = led.get(leader) ?? new Map<string, number[]>();
      led.set(leader, byTopic);
      const partitions = byTopic.get(topic) ?? [];
      byTopic.set(topic, partitions);
      partitions.push(partition);
    }
  }
  const requests = new Map<number, LogDirsRequestTopic[]>(
    [...led].map(([id, byTopic]) => [id, [...byTopic].map(([topic, partitions]) => ({ topic, partitions }))]),
  );
  const notes: string[] = [];
  const answers: BrokerSizes = new Map();
  await Promise.all(
    [...requests].map(async ([id, request]) => {
      const broker = brokers.find((b) => b.nodeId === id);
      try {
        if (!broker) {
          const what = id < 0 ? 'no leader' : `leader ${id} is not in the cluster metadata`;
          throw new SluiceError('KAFKA_UNAVAILABLE', `${what} for partitions of ${request.map((t) => t.topic).join(', ')}`);
        }
        const res = await describeLogDirs(broker, request, { clientId: 'sluice-cli', timeoutMs });
        answers.set(id, replicaSizes(res));
        for (const e of logDirErrors(res))
          notes.push(`broker ${id} (${broker.host}:${broker.port}) log dir ${e}: its replicas' sizes are unknown`);
      } catch (err) {
        answers.set(id, err as Error);
        const code = err instanceof SluiceError ? `${err.code}: ` : '';
        const whose = id < 0 ? 'without a leader' : `led by broker ${id}`;
        notes.push(`sizes of partitions ${whose} are unknown: ${code}${(err as Error).message}`);
      }
    }),
  );
  return { sizes: leaderSizes(leaders, answers), notes: notes.sort() };
}
