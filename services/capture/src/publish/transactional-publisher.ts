import {
  chunkRecords,
  classifyKafkaError,
  type KafkaTransaction,
  kafkaFenced,
  type Logger,
  type OperationWatch,
  type OutgoingRecord,
  type SluiceError,
  type TransactionalProducer,
} from '@sluice/core';
import type { Checkpoint, CheckpointCodec } from './checkpoint.ts';

/**
 * Encoded records of one or more whole source transactions and the checkpoint after them; or a
 * part of a source transaction too large to hold (no checkpoint: more of it follows).
 */
export interface PublishUnit {
  messages: { topic: string; message: OutgoingRecord }[];
  /** Absent for a part of a source transaction: the Kafka transaction stays open for the rest. */
  checkpoint?: Checkpoint;
  /** Source bytes this unit stands for (binlog event sizes): what backpressure counts. */
  bytes: number;
  /** Bytes of the encoded keys and values. */
  encodedBytes: number;
}

/** What the publisher needs of the checkpoint codec: its topic and the record of a checkpoint. */
export type CheckpointRecords = Pick<CheckpointCodec, 'topic' | 'encode'>;

/** Records per Kafka transaction, and per produce request (the broker default caps a request at 1 MiB). */
const TXN_MAX_BYTES = 8 * 1024 * 1024;
const SEND_MAX_BYTES = 512 * 1024;
/**
 * Writes units to Kafka exactly once (design contract 4): each Kafka transaction holds whole
 * source transactions plus the checkpoint that follows them, so a crash at any instant leaves
 * either all of them or none. Units that arrive while a Kafka transaction is committing are
 * grouped into the next one (group commit): latency stays low when idle, batches grow under load.
 * add() resolves when there is room, which is how backpressure reaches the binlog reader.
 * Parts of a source transaction too large to hold are sent into a Kafka transaction that stays
 * open until the unit with the transaction's end (and its checkpoint) commits it: memory stays
 * bounded, and a crash in between leaves an open transaction that the next instance's
 * initTransactions aborts, so read_committed consumers never see a part.
 */
export class TransactionalPublisher {
  private readonly producer: TransactionalProducer;
  private readonly codec: CheckpointRecords;
  private readonly log: Logger;
  private readonly maxBytes: number;
  private queue: PublishUnit[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private failure: SluiceError | undefined;
  private roomWaiters: (() => void)[] = [];
  /** The Kafka transaction holding parts of a source transaction whose end has not come yet. */
  private open: { txn: KafkaTransaction; records: number } | undefined;
  lastCheckpoint: Checkpoint | undefined;

  private readonly onCommit: (checkpoint: Checkpoint, records: number, seconds: number) => void;
  /** Told when a Kafka transaction starts, commits, fails: readiness sees a Kafka that does not answer. */
  private readonly watch: OperationWatch | undefined;

  constructor(opts: {
    producer: TransactionalProducer;
    codec: CheckpointRecords;
    log: Logger;
    maxBytes: number;
    onCommit?: (checkpoint: Checkpoint, records: number, seconds: number) => void;
    watch?: OperationWatch;
  }) {
    this.onCommit = opts.onCommit ?? (() => undefined);
    this.watch = opts.watch;
    this.producer = opts.producer;
    this.codec = opts.codec;
    this.log = opts.log;
    this.maxBytes = opts.maxBytes;
  }

  /** Nothing queued and no Kafka transaction in flight. */
  get idle(): boolean {
    return this.queue.length === 0 && !this.flushing && !this.open;
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
    // Stopping inside a streamed source transaction: its parts go, the checkpoint stays before it.
    const open = this.open;
    this.open = undefined;
    if (open) await open.txn.abort();
    if (this.failure) throw this.failure;
  }

  private kick(): void {
    if (this.flushing || this.queue.length === 0 || this.failure) return;
    this.watch?.begin();
    this.flushing = this.flushOnce()
      .then(() => this.watch?.ok())
      .catch((err) => {
        this.failure = classifyKafkaError(err, 'kafka transaction');
        if (this.failure.retriable) this.watch?.failed(this.failure);
        this.log.error({ err: this.failure }, 'kafka transaction failed');
      })
      .finally(() => {
        this.flushing = undefined;
        this.wakeWaiters();
        this.kick();
      });
  }

  private async flushOnce(): Promise<void> {
    const started = performance.now();
    // One Kafka transaction takes whole units up to TXN_MAX_BYTES of records (at least one unit).
    let take = 0;
    let size = 0;
    while (take < this.queue.length && (take === 0 || size + (this.queue[take] as PublishUnit).encodedBytes <= TXN_MAX_BYTES)) {
      size += (this.queue[take] as PublishUnit).encodedBytes;
      take++;
    }
    const units = this.queue.splice(0, take);
    const checkpoint = (units[units.length - 1] as PublishUnit).checkpoint;
    const records = units.flatMap((u) => u.messages);
    if (checkpoint) records.push({ topic: this.codec.topic, message: await this.codec.encode(checkpoint) });
    const open = this.open;
    this.open = undefined;
    const txn = open?.txn ?? (await this.producer.transaction());
    try {
      // Several sends per transaction keep each request under the broker's message.max.bytes.
      for (const chunk of chunkRecords(records, SEND_MAX_BYTES)) await txn.sendBatch({ topicMessages: chunk });
      if (!checkpoint) {
        // The source transaction goes on: its parts are in Kafka (not in memory), not yet committed.
        this.open = { txn, records: (open?.records ?? 0) + records.length };
        for (const u of units) this.queuedBytes -= u.bytes;
        return;
      }
      await txn.commit();
    } catch (err) {
      // A fenced producer's abort fails with the fencing error even when the send failed otherwise.
      const abortErr = await txn.abort().then(
        () => undefined,
        (e: unknown) => e,
      );
      throw kafkaFenced(abortErr) ? abortErr : err;
    }
    this.lastCheckpoint = checkpoint;
    this.onCommit(checkpoint, (open?.records ?? 0) + records.length - 1, (performance.now() - started) / 1000);
    for (const u of units) this.queuedBytes -= u.bytes;
    this.log.debug(
      { units: units.length, records: records.length, at: `${checkpoint.file}:${checkpoint.pos}` },
      'kafka transaction committed',
    );
  }

  private wakeWaiters(): void {
    const w = this.roomWaiters;
    this.roomWaiters = [];
    for (const r of w) r();
  }
}
