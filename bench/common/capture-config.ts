import type { Stack } from '../../test/support/stack.ts';

/**
 * The config of a bench's own capture: one database of the stack's source, its own prefix and
 * replica server id, topics that are deleted (not compacted) afterwards, no snapshot.
 */
export function benchCaptureConfig(s: Stack, o: { prefix: string; database: string; serverId: number }) {
  return {
    captureId: o.prefix,
    source: { url: s.sourceUrl, serverId: o.serverId },
    kafka: { brokers: s.kafkaBrokers },
    schemaRegistry: { url: s.registryUrl },
    topicPrefix: o.prefix,
    tables: { include: [`${o.database}.*`] },
    topics: { cleanupPolicy: 'delete' },
    snapshot: { mode: 'never' },
  };
}
