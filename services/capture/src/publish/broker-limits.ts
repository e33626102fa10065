import { CONFIG_RESOURCE, classifyKafkaError, type KafkaAdmin, SluiceError } from '@sluice/core';

import type { SourceFacts } from '../source/source-checks.ts';

/** Kafka's default socket.request.max.bytes: the largest request a broker reads at all. */
const DEFAULT_SOCKET_REQUEST_MAX_BYTES = 104_857_600;

/**
 * Start-up check: every broker must read a produce request that carries one record of the
 * largest size capture publishes. A broker that cannot closes the connection, which looks like
 * an outage and would be retried for ever.
 */
export async function assertBrokersTake(admin: KafkaAdmin, batchBytes: number): Promise<void> {
  let limits: { broker: string; bytes: number }[];
  try {
    const { brokers } = await admin.describeCluster();
    const res = await admin.describeConfigs({
      includeSynonyms: false,
      resources: brokers.map((b) => ({
        type: CONFIG_RESOURCE.BROKER,
        name: String(b.nodeId),
        configNames: ['socket.request.max.bytes'],
      })),
    });
    limits = res.resources.map((r) => ({
      broker: r.resourceName,
      bytes: Number(r.configEntries[0]?.configValue ?? DEFAULT_SOCKET_REQUEST_MAX_BYTES),
    }));
  } catch (err) {
    throw classifyKafkaError(err, 'reading the brokers’ socket.request.max.bytes');
  }
  // A produce request holds the batch plus its own headers (client id, topic, transactional id).
  const small = limits.filter((l) => l.bytes < batchBytes + 64 * 1024);
  if (small.length) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `maxRecordBytes is too large for the Kafka cluster: broker ${small.map((l) => `${l.broker} reads requests of at most ${l.bytes} bytes (socket.request.max.bytes)`).join(', ')}; ` +
        'lower maxRecordBytes or raise socket.request.max.bytes on the brokers',
    );
  }
}

/** A warning when the source can hold rows whose change cannot travel under maxRecordBytes. */
export function warnIfRowsCanExceed(facts: SourceFacts, maxRecordBytes: number, warn: (msg: string) => void): void {
  const packet = Number(facts.vars.max_allowed_packet);
  if (!Number.isFinite(packet) || 2 * packet <= maxRecordBytes) return;
  warn(
    `the source's max_allowed_packet is ${packet} bytes: an UPDATE of a row over about ${Math.floor(maxRecordBytes / 2)} bytes ` +
      `(before and after image) exceeds maxRecordBytes (${maxRecordBytes}) and will stop capture; raise maxRecordBytes to ${2 * packet + 1024 * 1024} to carry every row`,
  );
}
