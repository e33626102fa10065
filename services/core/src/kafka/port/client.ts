import type { KafkaAdmin } from './admin.ts';
import type { BatchConsumer, ConsumerOptions } from './consumer.ts';
import type { KafkaProducer, TransactionalProducer } from './producer.ts';

export interface ProducerOptions {
  /** Exactly-once per partition within a session (needs maxInFlightRequests 1 to keep order on retries). */
  idempotent?: boolean;
  maxInFlightRequests?: number;
  allowAutoTopicCreation?: boolean;
}

export interface TransactionalProducerOptions {
  /** The id a newer producer fences an older one by. */
  transactionalId: string;
  /** How long a transaction may stay open before the broker aborts it. */
  transactionTimeoutMs: number;
}

/**
 * The Kafka port: the one way sluice reaches Kafka (design contract 13). The adapter over the
 * current client lives in ../kafkajs/, in-memory fakes for unit tests in ../testing/. Every
 * client's errors are read by classifyKafkaError (and kafkaFenced, kafkaUnreachable,
 * kafkaRebalanced), never by the caller.
 */
export interface KafkaClient {
  producer(options?: ProducerOptions): KafkaProducer;
  transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer;
  consumer(options: ConsumerOptions): BatchConsumer;
  admin(): KafkaAdmin;
}
