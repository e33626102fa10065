import type { SaslSettings, TlsSettings } from '../../config/tls.ts';
import { librdkafkaSecurity } from '../../net/tls-options.ts';
import type { TransactionalProducerOptions } from '../port/client.ts';
import type { OutgoingRecord, RecordHeaders } from '../port/records.ts';

/** What the adapter needs to reach the brokers. */
export interface ConfluentConnection {
  brokers: string[];
  clientId: string;
  tls?: TlsSettings;
  sasl?: SaslSettings;
}

/**
 * librdkafka's settings for the port's transactional producer: the same guarantees and record
 * placement as the kafkajs adapter, on librdkafka's own threads.
 */
export function transactionalProducerConfig(
  conn: ConfluentConnection,
  opts: TransactionalProducerOptions,
): Record<string, string | number | boolean> {
  return {
    'bootstrap.servers': conn.brokers.join(','),
    'client.id': conn.clientId,
    // security.protocol, ssl.*, sasl.*: the config's kafka.tls and kafka.sasl, as kafkajs gets them.
    ...librdkafkaSecurity(conn.tls, conn.sasl),
    'transactional.id': opts.transactionalId,
    'transaction.timeout.ms': opts.transactionTimeoutMs,
    'enable.idempotence': true,
    // Delivery reports off: a transaction's commit is what confirms its records (and fails when one
    // was not delivered), so a report per record would only cost a callback into JavaScript each.
    dr_cb: false,
    dr_msg_cb: false,
    // Kafka's default partitioner (murmur2 of the key), as kafkajs and Java use: a key lands in the
    // same partition whichever client wrote it. librdkafka's own default (CRC32) would not.
    partitioner: 'murmur2_random',
    // No client-side cap below the topic's max.message.bytes (capture raises it to maxRecordBytes
    // and checks that against the brokers at start-up): the broker decides, as with kafkajs.
    'message.max.bytes': 1_000_000_000,
    // As the kafkajs adapter: a client retrying through an outage tries again within 2 s of Kafka coming back.
    'reconnect.backoff.max.ms': 2_000,
  };
}

/** How long initTransactions, commit and abort may wait for the brokers before failing as unavailable. */
export const TRANSACTION_CALL_TIMEOUT_MS = 30_000;

/** A record's fields as librdkafka's produce() takes them. */
export interface NativeRecord {
  value: Buffer | null;
  key: Buffer | null;
  partition: number | null;
  timestamp: number | null;
  headers: { [name: string]: Buffer | string }[] | undefined;
}

const bytes = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v;

/** The port's headers (a name to one value or several) as librdkafka's list of one-entry objects, in order. */
export function nativeHeaders(headers: RecordHeaders | undefined): NativeRecord['headers'] {
  if (!headers) return undefined;
  const out: { [name: string]: Buffer | string }[] = [];
  for (const [name, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push({ [name]: one });
  }
  return out.length ? out : undefined;
}

export function nativeRecord(r: OutgoingRecord): NativeRecord {
  return {
    value: bytes(r.value),
    key: bytes(r.key),
    partition: r.partition ?? null,
    timestamp: r.timestamp === undefined ? null : Number(r.timestamp),
    headers: nativeHeaders(r.headers),
  };
}
