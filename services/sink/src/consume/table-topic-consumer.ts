import {
  type BatchConsumer,
  type BatchPayload,
  type ConsumerOptions,
  classifyKafkaError,
  isKafkaClientError,
  type KafkaAdmin,
  type KafkaClient,
  type Logger,
  type ProgressMonitor,
  SluiceError,
} from '@sluice/core';

export interface TableTopicConsumerOptions {
  kafka: KafkaClient;
  settings: ConsumerOptions;
  /** The topics to read (the prefix's table topics; a SQL sink adds the heartbeat topic). */
  wanted: (topic: string) => boolean;
  parallelism: number;
  refreshMs: number;
  progress: ProgressMonitor;
  log: Logger;
  onBatch: (consumer: BatchConsumer, p: BatchPayload) => Promise<void>;
  /** The consumer stopped for good (a crash it does not restart from). */
  fatal: (err: Error) => void;
  /** A new consumer is about to replace the last (partitions may have moved meanwhile). */
  renewing?: () => void;
  /** Extra listeners on each new consumer, before it connects. */
  listen?: (consumer: BatchConsumer) => void;
}

/**
 * The consumer loop every sink kind shares: one consumer group reading the wanted topics
 * read_committed in batches, without auto-commit (the sink commits once its target has the
 * records). kafkajs resolves subscriptions when run() starts, so new topics (looked for every
 * refreshMs) mean a new consumer. The outcomes of Kafka operations go to readiness.
 */
export class TableTopicConsumer {
  private readonly o: TableTopicConsumerOptions;
  private admin: KafkaAdmin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private subscribed = new Set<string>();
  private restarting = false;
  private refreshing = false;
  /** The running consumer (set once its run has started). */
  consumer: BatchConsumer | undefined;

  constructor(o: TableTopicConsumerOptions) {
    this.o = o;
  }

  /** Connects, subscribes to the topics there are, and looks for new ones every refreshMs. */
  async start(): Promise<void> {
    this.admin = this.o.kafka.admin();
    await this.admin.connect();
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err) => this.o.log.warn({ err: String(err) }, 'topic refresh failed'));
    }, this.o.refreshMs);
  }

  private async refresh(): Promise<void> {
    if (this.refreshing || !this.admin) return;
    this.refreshing = true;
    let all: string[];
    // Also what tells an idle sink's readiness that Kafka answers (every refreshMs).
    this.o.progress.begin('kafka');
    try {
      all = await this.admin.listTopics();
      this.o.progress.ok('kafka');
    } catch (err) {
      this.o.progress.failed('kafka', classifyKafkaError(err, 'kafka topics'));
      throw err;
    } finally {
      this.refreshing = false;
    }
    const topics = all.filter(this.o.wanted).sort();
    if (topics.length && topics.some((t) => !this.subscribed.has(t))) await this.restart(topics);
  }

  private async restart(topics: string[]): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    try {
      await this.consumer?.disconnect();
      this.o.renewing?.();
      const consumer = this.o.kafka.consumer(this.o.settings);
      consumer.on('crash', (e) => {
        // A crash the sink caused (a target or registry error thrown by a batch) is not Kafka's.
        if (isKafkaClientError(e.error)) this.o.progress.failed('kafka', classifyKafkaError(e.error, 'kafka consumer'));
        if (!e.restart) this.o.fatal(e.error);
      });
      // Answers from the broker: fetches (an idle one returns after maxWaitTime), heartbeats, commits.
      const answered = () => this.o.progress.ok('kafka');
      consumer.on('fetch', answered);
      consumer.on('heartbeat', answered);
      consumer.on('commit', answered);
      consumer.on('request-timeout', (e) =>
        this.o.progress.failed('kafka', new SluiceError('KAFKA_UNAVAILABLE', `kafka request timed out (${e.apiName})`)),
      );
      this.o.listen?.(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.o.parallelism,
        eachBatch: (p) => this.o.onBatch(consumer, p),
      });
      this.consumer = consumer;
      this.subscribed = new Set(topics);
      this.o.log.info({ topics: topics.length }, 'consuming');
    } finally {
      this.restarting = false;
    }
  }

  /** Stops looking for new topics and lets the admin go (the consumer stays: disconnect() it). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** Leaves the group; waits for the batches in hand. */
  async disconnect(): Promise<void> {
    clearInterval(this.timer);
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
