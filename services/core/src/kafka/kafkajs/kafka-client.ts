import { Kafka, type KafkaConfig, type LogEntry, logLevel, Partitioners } from 'kafkajs';
import type { SaslSettings, TlsSettings } from '../../config/tls.ts';
import type { Logger } from '../../log.ts';
import { kafkajsSasl, nodeTlsOptions } from '../../net/tls-options.ts';
import type { KafkaAdmin } from '../port/admin.ts';
import type { KafkaClient } from '../port/client.ts';
import type { KafkaProducer, TransactionalProducer } from '../port/producer.ts';
import { KafkajsConsumer } from './kafkajs-consumer.ts';

// kafkajs logs every retried broker response (coordinator loading, concurrent transactions) as
// ERROR; failures that matter reach sluice as thrown errors and are logged there.
const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The clients' retry: about 15 s of attempts, 2 s apart at most, before the caller sees the error. */
export const KAFKA_RETRY = { retries: 10, initialRetryTime: 200, maxRetryTime: 2_000 };

/**
 * The broker answers CONCURRENT_TRANSACTIONS for a moment after each commit; kafkajs' default
 * first retry (300 ms) would cap a transactional producer at a few transactions per second.
 */
const TRANSACTIONAL_RETRY = { initialRetryTime: 20, maxRetryTime: 2_000, retries: 12 };

/** How to reach the brokers: their addresses, and TLS and a SASL login when the config has them (kafka.tls, kafka.sasl). */
export interface KafkaConnection {
  brokers: string[];
  tls?: TlsSettings;
  sasl?: SaslSettings;
}

/** kafkajs' ssl and sasl options for the connection (net/tls-options.ts). */
export function kafkajsSecurity(c: KafkaConnection): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ...(c.tls ? { ssl: nodeTlsOptions(c.tls) } : {}),
    ...(c.sasl ? { sasl: kafkajsSasl(c.sasl) } : {}),
  } as Pick<KafkaConfig, 'ssl' | 'sasl'>;
}

/** The Kafka port over kafkajs, whose own logs go through pino (kafkajs INFO is chatty: shown at debug). */
export function createKafka(opts: KafkaConnection & { clientId: string; log: Logger }): KafkaClient {
  const log = opts.log.child({ component: 'kafkajs' });
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ...kafkajsSecurity(opts),
    logLevel: logLevel.INFO,
    // Capped at 2 s: a client retrying through an outage tries again within 2 s of Kafka coming
    // back (a 10 s cap, and the consumer's restart after the last retry, cost 34 s after a restart).
    retry: KAFKA_RETRY,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const lvl = LEVELS[level] ?? 'info';
        (lvl === 'info' ? log.debug : log[lvl]).call(log, rest, message);
      },
  });
  return kafkaClient(kafka);
}

/**
 * The Kafka port over kafkajs for one CLI run: few retries (an operator waits for the answer), and
 * kafkajs' own logs off unless debug, so that stdout stays the report.
 */
export function createCliKafka(opts: KafkaConnection & { clientId: string; debug: boolean }): KafkaClient {
  return kafkaClient(
    new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      ...kafkajsSecurity(opts),
      connectionTimeout: 5000,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      logLevel: opts.debug ? logLevel.DEBUG : logLevel.NOTHING,
      logCreator: () => (e) => process.stderr.write(`kafkajs ${e.label}: ${e.log.message}\n`),
    }),
  );
}

function kafkaClient(kafka: Kafka): KafkaClient {
  return {
    // Kafka's default partitioner (murmur2 of the key), which is also kafkajs 2's default: named
    // so that kafkajs does not warn about its change from 1.x.
    producer: (o = {}): KafkaProducer => kafka.producer({ ...o, createPartitioner: Partitioners.DefaultPartitioner }),
    transactionalProducer: (o): TransactionalProducer =>
      kafka.producer({
        transactionalId: o.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: o.transactionTimeoutMs,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: TRANSACTIONAL_RETRY,
      }),
    consumer: (o) => new KafkajsConsumer(kafka.consumer(o)),
    admin: (): KafkaAdmin => kafka.admin(),
  };
}
