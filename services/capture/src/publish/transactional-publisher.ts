import { type Logger, SluiceError } from '@sluice/core';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { Checkpoint, CheckpointCodec } from './checkpoint.ts';

/** Encoded records of one or more whole source transactions and the checkpoint after them. */
export interface PublishUnit {
  messages: { topic: string; message: Message }[];
  checkpoint: Checkpoint;
  bytes: number;
}

/**
 * Writes units to Kafka exactly once (design contract 4): each Kafka transaction holds whole
 * source transactions plus the checkpoint that follows them, so a crash at any instant leaves
 * either all of them or none. Units that arrive while a Kafka transaction is committing are
 * grouped into the next one (group commit): latency stays low when idle, batches grow under load.
 * add() resolves when there is room, which is how backpressure reaches the binlog reader.
 */
export class TransactionalPublisher {
  private readonly producer: Producer;
  private readonly codec: CheckpointCodec;
  private readonly log: Logger;
  private readonly maxBytes: number;
  private queue: PublishUnit[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private failure: SluiceError | undefined;
  private roomWaiters: (() => void)[] = [];
  lastCheckpoint: Checkpoint | undefined;

  constructor(opts: { producer: Producer; codec: CheckpointCodec; log: Logger; maxBytes: number }) {
    this.producer = opts.producer;
    this.codec = opts.codec;
    this.log = opts.log;
    this.maxBytes = opts.maxBytes;
  }

  get bytesQueued(): number {
    return this.queuedBytes;
  }

  async add(unit: PublishUnit): Promise<void> {
    if (this.failure) throw this.failure;
    this.queue.push(unit);
    this.queuedBytes += unit.bytes;
    this.kick();
    while (this.queuedBytes > this.maxBytes && !this.failure) {
      await new Promise<void>((r) => this.roomWaiters.push(r));
    }
    if (this.failure) throw this.failure;
  }

  /** Resolves when everything added so far is committed (or rejects with the failure). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  private kick(): void {
    if (this.flushing || this.queue.length === 0 || this.failure) return;
    this.flushing = this.flushOnce()
      .catch((err) => {
        this.failure = classify(err);
        this.log.error({ err: this.failure }, 'kafka transaction failed');
      })
      .finally(() => {
        this.flushing = undefined;
        this.wakeWaiters();
        this.kick();
      });
  }

  private async flushOnce(): Promise<void> {
    const units = this.queue;
    this.queue = [];
    const checkpoint = (units[units.length - 1] as PublishUnit).checkpoint;
    const byTopic = new Map<string, Message[]>();
    for (const u of units) {
      for (const { topic, message } of u.messages) {
        const list = byTopic.get(topic) ?? [];
        if (list.length === 0) byTopic.set(topic, list);
        list.push(message);
      }
    }
    const cp = await this.codec.encode(checkpoint);
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    topicMessages.push({ topic: this.codec.topic, messages: [cp] });
    const txn = await this.producer.transaction();
    try {
      await txn.sendBatch({ topicMessages });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
    this.lastCheckpoint = checkpoint;
    for (const u of units) this.queuedBytes -= u.bytes;
    this.log.debug({ units: units.length, at: `${checkpoint.file}:${checkpoint.pos}` }, 'kafka transaction committed');
  }

  private wakeWaiters(): void {
    const w = this.roomWaiters;
    this.roomWaiters = [];
    for (const r of w) r();
  }
}

function classify(err: unknown): SluiceError {
  const name = (err as { name?: string; type?: string })?.type ?? (err as Error)?.name ?? '';
  if (/FENCED|INVALID_PRODUCER_EPOCH|ProducerFenced/i.test(String(name))) {
    return new SluiceError('KAFKA_FENCED', 'another capture with the same captureId took over (producer fenced)', { cause: err });
  }
  return new SluiceError('KAFKA_UNAVAILABLE', `kafka transaction failed: ${(err as Error)?.message ?? err}`, { cause: err });
}
