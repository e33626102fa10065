import { createKafka, type Logger, Registry, retry, SluiceError, tableTopicPattern } from '@sluice/core';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { TargetWriter } from './apply/target-writer.ts';
import type { SinkConfig } from './config.ts';
import { ChangeDecoder, type TargetChange } from './decode/change-decoder.ts';
import { planBatch } from './plan/batch-plan.ts';

/**
 * One sink deployment: a consumer group (its name) reading the table topics read_committed,
 * applying each fetched batch to the target in one transaction, then committing the offsets
 * (design contract 5). A batch that fails with a retriable error is retried, never skipped; a
 * non-retriable one stops the sink with the offsets before it (the DLQ policy comes later).
 */
export class Sink {
  private readonly cfg: SinkConfig;
  private readonly log: Logger;
  private readonly kafka;
  private readonly writer: TargetWriter;
  private readonly decoder: ChangeDecoder;
  private consumer: Consumer | undefined;
  private subscribed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private fatal: ((e: Error) => void) | undefined;
  private restarting = false;
  ready = false;

  constructor(cfg: SinkConfig, writer: TargetWriter, log: Logger) {
    this.cfg = cfg;
    this.log = log;
    this.writer = writer;
    this.kafka = createKafka({ brokers: cfg.kafka.brokers, clientId: `${cfg.kafka.clientId}-sink-${cfg.sinkName}`, log });
    this.decoder = new ChangeDecoder(new Registry(cfg.schemaRegistry.url));
  }

  async run(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const pattern = tableTopicPattern(this.cfg.topicPrefix);
    const failed = new Promise<void>((_, reject) => {
      this.fatal = reject;
    });
    const refresh = async () => {
      const topics = (await admin.listTopics()).filter((t) => pattern.test(t)).sort();
      if (topics.length && topics.some((t) => !this.subscribed.has(t))) await this.restart(topics);
    };
    await refresh();
    this.timer = setInterval(() => {
      refresh().catch((err) => this.log.warn({ err: String(err) }, 'topic refresh failed'));
    }, this.cfg.topicRefreshMs);
    this.ready = true;
    try {
      await failed;
    } finally {
      clearInterval(this.timer);
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** kafkajs resolves subscriptions when run() starts, so a new topic means a new consumer run. */
  private async restart(topics: string[]): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    try {
      await this.consumer?.disconnect();
      const consumer = this.kafka.consumer({
        groupId: this.cfg.sinkName,
        readUncommitted: false,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
      });
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) this.fatal?.(e.payload.error);
      });
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (p) => this.onBatch(consumer, p),
      });
      this.consumer = consumer;
      this.subscribed = new Set(topics);
      this.log.info({ topics: topics.length }, 'consuming');
    } finally {
      this.restarting = false;
    }
  }

  private async onBatch(consumer: Consumer, p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    if (batch.messages.length === 0) return;
    let changes: TargetChange[];
    try {
      changes = await Promise.all(batch.messages.map((m) => this.decoder.decode(m.value)));
    } catch (err) {
      const e = err instanceof SluiceError ? err : new SluiceError('DECODE_FAILED', String(err), { cause: err });
      if (!e.retriable) return this.stopWith(e, batch.topic, batch.partition, batch.firstOffset());
      throw e;
    }
    const plans = planBatch(changes);
    try {
      await retry(() => this.writer.apply(plans), {
        signal: this.abort.signal,
        maxDelayMs: 15_000,
        onRetry: (err, attempt, delay) => {
          this.log.warn({ err: (err as Error).message, attempt, delayMs: Math.round(delay) }, 'target write failed; retrying');
          void p.heartbeat().catch(() => undefined);
        },
      });
    } catch (err) {
      return this.stopWith(err as SluiceError, batch.topic, batch.partition, batch.firstOffset());
    }
    const last = batch.messages[batch.messages.length - 1]?.offset as string;
    p.resolveOffset(last);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    this.log.debug(
      { topic: batch.topic, partition: batch.partition, offset: last, rows: batch.messages.length },
      'batch applied',
    );
  }

  private stopWith(err: SluiceError, topic: string, partition: number, offset: string | null): never {
    this.log.fatal({ code: err.code, topic, partition, offset }, `sink stops: ${err.message}`);
    this.fatal?.(err);
    throw err;
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.abort.abort();
    clearInterval(this.timer);
    // disconnect() waits for the batch in hand: it is applied and committed, or not at all.
    await this.consumer?.disconnect().catch(() => undefined);
    await this.writer.close().catch(() => undefined);
  }
}
