import type { Logger } from '../../log.ts';
import type { KafkaClient } from '../port/client.ts';
import type { ConfluentConnection } from './confluent-options.ts';
import { ConfluentTransactionalProducer } from './confluent-producer.ts';

/**
 * `base` with its transactional producer on Confluent's librdkafka client, the one part built on
 * it so far (it measured 3x kafkajs' transactional produce: docs/architecture.md). Consumers, the
 * admin and plain producers stay base's.
 */
export function withConfluentTransactions(base: KafkaClient, conn: ConfluentConnection, log: Logger): KafkaClient {
  const rdLog = log.child({ component: 'librdkafka' });
  return {
    producer: (o) => base.producer(o),
    consumer: (o) => base.consumer(o),
    admin: () => base.admin(),
    transactionalProducer: (o) => new ConfluentTransactionalProducer(conn, o, rdLog),
  };
}
