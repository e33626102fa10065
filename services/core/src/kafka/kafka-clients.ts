import type { Logger } from '../log.ts';
import { withConfluentTransactions } from './confluent/confluent-client.ts';
import { createKafka, type KafkaConnection } from './kafkajs/kafka-client.ts';
import type { KafkaClient } from './port/client.ts';

/** The clients the port can sit on (config kafka.client). */
export const KAFKA_CLIENTS = ['kafkajs', 'confluent'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/**
 * The Kafka port over the chosen client: kafkajs, or kafkajs with the transactional producer on
 * Confluent's librdkafka client (loaded only then: deploy/local/install/ckjs.sh builds it).
 */
export function createKafkaClient(
  opts: KafkaConnection & {
    clientId: string;
    log: Logger;
    client: KafkaClientName;
  },
): KafkaClient {
  const base = createKafka(opts);
  return opts.client === 'confluent' ? withConfluentTransactions(base, opts, opts.log) : base;
}
