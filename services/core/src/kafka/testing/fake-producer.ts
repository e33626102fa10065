import { SluiceError } from '../../errors.ts';
import type { KafkaProducer, KafkaTransaction, ProduceResult, TransactionalProducer } from '../port/producer.ts';
import type { OutgoingRecord, TopicRecords } from '../port/records.ts';
import type { FakeKafka } from './fake-kafka.ts';

const flat = (batch: TopicRecords[]) => batch.flatMap((t) => t.messages.map((message) => ({ topic: t.topic, message })));

const results = (stored: { topic: string; partition: number; offset: string }[]): ProduceResult[] =>
  stored.map((s) => ({ topicName: s.topic, partition: s.partition, errorCode: 0, baseOffset: s.offset }));

/** A plain producer of the fake: records appear as soon as they are sent. */
export class FakeProducer implements KafkaProducer {
  private readonly kafka: FakeKafka;

  constructor(kafka: FakeKafka) {
    this.kafka = kafka;
  }

  async connect(): Promise<void> {
    await this.kafka.operation({ kind: 'connect' });
  }

  async send(request: { topic: string; messages: OutgoingRecord[] }): Promise<ProduceResult[]> {
    return this.sendBatch({ topicMessages: [request] });
  }

  async sendBatch(request: { topicMessages: TopicRecords[] }): Promise<ProduceResult[]> {
    const records = flat(request.topicMessages);
    await this.kafka.operation({ kind: 'send', records: records.length });
    return results(this.kafka.append(records));
  }

  async disconnect(): Promise<void> {}
}

/**
 * A transactional producer of the fake. connect() takes a new epoch for the id, which fences the
 * older producer: its open transaction is dropped and its next operation fails with KAFKA_FENCED.
 */
export class FakeTransactionalProducer implements TransactionalProducer {
  private readonly kafka: FakeKafka;
  readonly transactionalId: string;
  private epoch = 0;
  private open: FakeTransaction | undefined;

  constructor(kafka: FakeKafka, transactionalId: string) {
    this.kafka = kafka;
    this.transactionalId = transactionalId;
  }

  async connect(): Promise<void> {
    await this.kafka.operation({ kind: 'connect', transactionalId: this.transactionalId });
    this.epoch = (this.kafka.epochs.get(this.transactionalId) ?? 0) + 1;
    this.kafka.epochs.set(this.transactionalId, this.epoch);
  }

  /** Throws KAFKA_FENCED when a newer producer with this id connected. */
  assertCurrent(): void {
    if (this.kafka.epochs.get(this.transactionalId) !== this.epoch) {
      throw new SluiceError('KAFKA_FENCED', `fake kafka: producer ${this.transactionalId} was fenced by a newer one`);
    }
  }

  async transaction(): Promise<KafkaTransaction> {
    await this.kafka.operation({ kind: 'begin', transactionalId: this.transactionalId });
    this.assertCurrent();
    if (this.open) throw new Error(`fake kafka: ${this.transactionalId} began a transaction while one is open`);
    this.open = new FakeTransaction(this.kafka, this, () => {
      this.open = undefined;
    });
    return this.open;
  }

  async disconnect(): Promise<void> {}
}

class FakeTransaction implements KafkaTransaction {
  private readonly kafka: FakeKafka;
  private readonly producer: FakeTransactionalProducer;
  private readonly ended: () => void;
  private readonly pending: { topic: string; message: OutgoingRecord }[] = [];

  constructor(kafka: FakeKafka, producer: FakeTransactionalProducer, ended: () => void) {
    this.kafka = kafka;
    this.producer = producer;
    this.ended = ended;
  }

  async send(request: { topic: string; messages: OutgoingRecord[] }): Promise<ProduceResult[]> {
    return this.sendBatch({ topicMessages: [request] });
  }

  async sendBatch(request: { topicMessages: TopicRecords[] }): Promise<ProduceResult[]> {
    const records = flat(request.topicMessages);
    await this.kafka.operation({ kind: 'send', transactionalId: this.producer.transactionalId, records: records.length });
    this.producer.assertCurrent();
    this.pending.push(...records);
    return [];
  }

  async commit(): Promise<void> {
    await this.kafka.operation({ kind: 'commit', transactionalId: this.producer.transactionalId });
    this.producer.assertCurrent();
    this.kafka.append(this.pending);
    this.end('committed');
  }

  async abort(): Promise<void> {
    await this.kafka.operation({ kind: 'abort', transactionalId: this.producer.transactionalId });
    this.producer.assertCurrent();
    this.end('aborted');
  }

  private end(outcome: 'committed' | 'aborted'): void {
    this.kafka.transactions.push({ transactionalId: this.producer.transactionalId, outcome, records: this.pending.length });
    this.pending.length = 0;
    this.ended();
  }
}
