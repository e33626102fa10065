import {
  createKafkaClient,
  type KafkaAdmin,
  type KafkaClient,
  type Logger,
  type ProgressMonitor,
  Registry,
  type TransactionalProducer,
} from '@sluice/core';
import type { CaptureConfig } from '../config.ts';

/** The Kafka and registry clients of a capture run, whichever kind of source it reads. */
export interface CaptureClients {
  kafka: KafkaClient;
  registry: Registry;
  producer: TransactionalProducer;
  admin: KafkaAdmin;
}

export function captureClients(cfg: CaptureConfig, log: Logger, progress: ProgressMonitor): CaptureClients {
  const kafka = createKafkaClient({
    brokers: cfg.kafka.brokers,
    tls: cfg.kafka.tls,
    sasl: cfg.kafka.sasl,
    clientId: `${cfg.kafka.clientId}-capture`,
    log,
    client: cfg.kafka.client,
  });
  return {
    kafka,
    registry: new Registry(cfg.schemaRegistry, progress.watch('registry')),
    // The transactional id is the capture id: a second instance fences the first (standby takeover).
    producer: kafka.transactionalProducer({
      transactionalId: `sluice-capture-${cfg.captureId}`,
      // A source transaction too large to hold is streamed into one Kafka transaction, which stays
      // open while it is read: up to the brokers' default transaction.max.timeout.ms (15 min).
      transactionTimeoutMs: cfg.kafka.transactionTimeoutMs,
    }),
    admin: kafka.admin(),
  };
}
