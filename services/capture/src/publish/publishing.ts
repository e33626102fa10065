import {
  BATCH_OVERHEAD_BYTES,
  type KafkaAdmin,
  type KafkaClient,
  type Logger,
  type ProgressMonitor,
  type Registry,
  type TransactionalProducer,
} from '@sluice/core';
import type { CaptureConfig } from '../config.ts';
import type { CaptureMetrics } from '../observe/capture-metrics.ts';
import { assertBrokersTake } from './broker-limits.ts';
import { type Checkpoint, CheckpointCodec, readLastCheckpoint } from './checkpoint.ts';
import { RecordLimits } from './record-limits.ts';
import type { MarkerAt } from './takeover.ts';
import { TopicManager } from './topic-manager.ts';
import { TransactionalPublisher } from './transactional-publisher.ts';

/** What both kinds of capture publish through, and where the last run left off. */
export interface Publishing {
  topics: TopicManager;
  limits: RecordLimits;
  publisher: TransactionalPublisher;
  last: Checkpoint | undefined;
  /** The checkpoint topic and where this run's start marker is (takeover.ts). */
  startMarker: { topic: string; at: MarkerAt };
}

/**
 * Connects to the registry and Kafka for a capture run: brokers checked to take the largest record, the
 * checkpoint topic, the transactional producer (which fences a predecessor), the last committed
 * checkpoint, and the publisher that writes records with checkpoints exactly once.
 */
export async function openPublishing(opts: {
  cfg: CaptureConfig;
  kafka: KafkaClient;
  admin: KafkaAdmin;
  producer: TransactionalProducer;
  registry: Registry;
  log: Logger;
  metrics: CaptureMetrics;
  progress: ProgressMonitor;
}): Promise<Publishing> {
  const { cfg, admin, producer, metrics } = opts;
  // Refused credentials or a TLS failure stop the capture here, not at the first table's schema.
  await opts.registry.probe();
  await admin.connect();
  // A topic (and a produce request) must take a batch holding one record of the largest size.
  const maxMessageBytes = cfg.maxRecordBytes + BATCH_OVERHEAD_BYTES;
  await assertBrokersTake(admin, maxMessageBytes);
  const topics = new TopicManager(admin, { ...cfg.topics, maxMessageBytes });
  const limits = new RecordLimits(cfg.maxRecordBytes, (topic, bytes) => topics.fit(topic, bytes));
  const codec = new CheckpointCodec(cfg.topicPrefix, opts.registry);
  await topics.ensure(codec.topic, { partitions: 1, cleanupPolicy: 'compact' });
  await producer.connect();
  const { checkpoint: last, marker } = await readLastCheckpoint({
    kafka: opts.kafka,
    producer,
    codec,
    registry: opts.registry,
    captureId: cfg.captureId,
  });
  opts.progress.ok('kafka');
  const publisher = new TransactionalPublisher({
    producer,
    codec,
    log: opts.log,
    maxBytes: cfg.queueMaxBytes,
    watch: opts.progress.watch('kafka'),
    onCommit: (checkpoint, records, seconds) => {
      metrics.kafkaTransactions.inc();
      metrics.kafkaTransactionSeconds.observe(seconds);
      metrics.kafkaTransactionRecords.observe(records);
      metrics.lastCheckpointSeconds.set(Date.now() / 1000);
      metrics.sourceLagSeconds.set(Math.max(0, Date.now() - checkpoint.source_ts_ms) / 1000);
    },
  });
  return { topics, limits, publisher, last, startMarker: { topic: codec.topic, at: marker } };
}
