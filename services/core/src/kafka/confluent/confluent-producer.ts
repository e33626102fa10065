import { createRequire } from 'node:module';
import type { LibrdKafkaError, Producer } from '@confluentinc/kafka-javascript';
import { SluiceError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { TransactionalProducerOptions } from '../port/client.ts';
import type { KafkaTransaction, ProduceResult, TransactionalProducer } from '../port/producer.ts';
import type { OutgoingRecord, TopicRecords } from '../port/records.ts';
import { classifyConfluentError } from './confluent-errors.ts';
import {
  type ConfluentConnection,
  nativeRecord,
  TRANSACTION_CALL_TIMEOUT_MS,
  transactionalProducerConfig,
} from './confluent-options.ts';

/** ERR__QUEUE_FULL: librdkafka's local queue is full; wait for the brokers to take some. */
const QUEUE_FULL = -184;
const QUEUE_FULL_WAIT_MS = 5;

type ProducerClass = new (conf: Record<string, string | number | boolean>) => Producer;

/**
 * Loaded on first use, not at import: only a capture configured with kafka.client: confluent needs
 * the native module (built by deploy/local/install/ckjs.sh).
 */
function nativeProducer(): ProducerClass {
  const require = createRequire(import.meta.url);
  try {
    return (require('@confluentinc/kafka-javascript') as { Producer: ProducerClass }).Producer;
  } catch (err) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `kafka.client is confluent, but @confluentinc/kafka-javascript does not load (${(err as Error).message.split('\n')[0]}): ` +
        'build it with make install (deploy/local/install/ckjs.sh), or set kafka.client: kafkajs',
      { cause: err },
    );
  }
}

/** A librdkafka call that answers by callback, as a promise rejecting with a classified error. */
function call(what: string, fn: (cb: (err: LibrdKafkaError | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    fn((err) => (err ? reject(classifyConfluentError(err, what)) : resolve()));
  });
}

/**
 * The port's transactional producer on librdkafka's native Producer API (not Confluent's
 * KafkaJS-compatible layer, which measured slower than kafkajs itself). produce() per record
 * hands it to librdkafka's threads, which batch and send; with delivery reports off a send
 * resolves once its records are queued, and commit() is what confirms them: it flushes, and fails
 * when any record of the transaction was not delivered (the port's contract: after a failed send
 * or commit, abort). Every error thrown is a classified SluiceError.
 */
export class ConfluentTransactionalProducer implements TransactionalProducer {
  private readonly conf: Record<string, string | number | boolean>;
  private readonly log: Logger;
  private producer: Producer | undefined;

  constructor(conn: ConfluentConnection, opts: TransactionalProducerOptions, log: Logger) {
    this.conf = transactionalProducerConfig(conn, opts);
    this.log = log;
  }

  async connect(): Promise<void> {
    const Native = nativeProducer();
    const p = new Native(this.conf);
    p.on('event.error', (err) => this.log.warn({ err: err.message, code: err.code }, 'librdkafka error'));
    p.on('event.log', (e: { severity: number; fac: string; message: string }) =>
      (e.severity <= 4 ? this.log.warn : this.log.debug).call(this.log, { fac: e.fac }, e.message),
    );
    await call('connecting the transactional producer', (cb) => p.connect({}, (err) => cb(err)));
    // The binding always asks for delivery reports, and librdkafka counts a delivered record against
    // its queue until its report is served: unserved, a transaction of more than the queue's 100k
    // records (a streamed source transaction) waited on a full queue for ever. librdkafka's own
    // background thread serves them (no JavaScript per record: no report listener is set).
    p.setPollInBackground(true);
    this.producer = p;
    // Fences an older producer with this transactional id and aborts its open transaction.
    await call('initialising transactions', (cb) => p.initTransactions(TRANSACTION_CALL_TIMEOUT_MS, cb));
  }

  async transaction(): Promise<KafkaTransaction> {
    const p = this.connected();
    await call('beginning a kafka transaction', (cb) => p.beginTransaction(cb));
    return new ConfluentTransaction(p);
  }

  async disconnect(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    if (p) await new Promise<void>((resolve) => p.disconnect(() => resolve()));
  }

  private connected(): Producer {
    if (!this.producer) throw classifyConfluentError(new Error('producer not connected'), 'kafka transaction');
    return this.producer;
  }
}

class ConfluentTransaction implements KafkaTransaction {
  private readonly producer: Producer;

  constructor(producer: Producer) {
    this.producer = producer;
  }

  async send(request: { topic: string; messages: OutgoingRecord[] }): Promise<ProduceResult[]> {
    await this.produceAll(request.topic, request.messages);
    return [];
  }

  async sendBatch(request: { topicMessages: TopicRecords[] }): Promise<ProduceResult[]> {
    for (const t of request.topicMessages) await this.produceAll(t.topic, t.messages);
    return [];
  }

  commit(): Promise<void> {
    return call('committing a kafka transaction', (cb) => this.producer.commitTransaction(TRANSACTION_CALL_TIMEOUT_MS, cb));
  }

  abort(): Promise<void> {
    return call('aborting a kafka transaction', (cb) => this.producer.abortTransaction(TRANSACTION_CALL_TIMEOUT_MS, cb));
  }

  /**
   * Records into librdkafka's queue, synchronously while it has room (no await per record). A full
   * queue is backpressure: wait while the brokers take some; one that stays full for as long as a
   * commit may take is an outage (KAFKA_UNAVAILABLE), as a send that kafkajs gives up on.
   */
  private async produceAll(topic: string, messages: OutgoingRecord[]): Promise<void> {
    let fullSince: number | undefined;
    for (let i = 0; i < messages.length; ) {
      const r = nativeRecord(messages[i] as OutgoingRecord);
      try {
        this.producer.produce(topic, r.partition, r.value as Buffer, r.key, r.timestamp, undefined, r.headers);
        i++;
        fullSince = undefined;
      } catch (err) {
        const full = (err as LibrdKafkaError).code === QUEUE_FULL;
        fullSince ??= Date.now();
        if (!full || Date.now() - fullSince > TRANSACTION_CALL_TIMEOUT_MS)
          throw classifyConfluentError(err, `producing to ${topic}`);
        await new Promise((resolve) => setTimeout(resolve, QUEUE_FULL_WAIT_MS));
      }
    }
  }
}
