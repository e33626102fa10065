import type { KafkaAdmin } from '../port/admin.ts';
import type { KafkaClient, ProducerOptions, TransactionalProducerOptions } from '../port/client.ts';
import type { BatchConsumer, ConsumerOptions } from '../port/consumer.ts';
import type { KafkaProducer, TransactionalProducer } from '../port/producer.ts';
import type { ConsumedRecord, OutgoingRecord } from '../port/records.ts';
import { FakeAdmin } from './fake-admin.ts';
import { FakeConsumer } from './fake-consumer.ts';
import { FakeProducer, FakeTransactionalProducer } from './fake-producer.ts';

/** A record in a fake partition. */
export interface StoredRecord extends ConsumedRecord {
  topic: string;
  partition: number;
}

/** An operation of a fake client, told to `onOperation` before it takes effect. */
export interface FakeOperation {
  kind: 'connect' | 'begin' | 'send' | 'commit' | 'abort' | 'commitOffsets';
  transactionalId?: string;
  /** Records of a send. */
  records?: number;
}

export interface FakeTopic {
  partitions: StoredRecord[][];
  /** Per partition, the first offset kept (deleteTopicRecords moves it). */
  low: number[];
  configs: Map<string, string>;
}

/**
 * An in-memory Kafka behind the port, for unit tests: one process, no broker. It keeps what the
 * services rely on: per-partition order and offsets; transactions whose records appear at commit
 * and never after abort (so every reader reads committed); fencing of an older transactional
 * producer by a newer one with the same id (its next operation fails with KAFKA_FENCED); group
 * offsets. Simplifications: records are partitioned by a plain hash of the key (not murmur2); a
 * consumer gets every partition of its topics (no balancing between members); nothing is timed.
 * `onOperation` sees every produce and commit before it happens: throw to fail it, or await to
 * hold it (for a test of what happens meanwhile).
 */
export class FakeKafka implements KafkaClient {
  readonly topics = new Map<string, FakeTopic>();
  /** Committed offsets per group, by `topic:partition`. */
  readonly groups = new Map<string, Map<string, string>>();
  /** Every Kafka transaction that ended, in order. */
  readonly transactions: { transactionalId: string; outcome: 'committed' | 'aborted'; records: number }[] = [];
  /** The newest producer epoch per transactional id. */
  readonly epochs = new Map<string, number>();
  readonly consumers = new Set<FakeConsumer>();
  onOperation: ((op: FakeOperation) => void | Promise<void>) | undefined;
  /** Partitions of a topic created by a first produce to it. */
  autoCreatePartitions = 1;

  createTopic(topic: string, partitions = 1, configs: Record<string, string> = {}): FakeTopic {
    let t = this.topics.get(topic);
    if (!t) {
      t = {
        partitions: Array.from({ length: partitions }, () => []),
        low: Array.from({ length: partitions }, () => 0),
        configs: new Map(Object.entries(configs)),
      };
      this.topics.set(topic, t);
    }
    return t;
  }

  /** Appends records (already committed, when transactional) and wakes the consumers. */
  append(records: { topic: string; message: OutgoingRecord }[]): StoredRecord[] {
    const out = records.map(({ topic, message }) => {
      const t = this.topics.get(topic) ?? this.createTopic(topic, this.autoCreatePartitions);
      const partition = message.partition ?? partitionOf(message.key, t.partitions.length);
      const log = t.partitions[partition];
      if (!log) throw new Error(`fake kafka: topic ${topic} has no partition ${partition}`);
      const stored: StoredRecord = {
        topic,
        partition,
        key: toBuffer(message.key),
        value: toBuffer(message.value),
        headers: message.headers ?? {},
        offset: String((t.low[partition] ?? 0) + log.length),
        timestamp: message.timestamp ?? String(Date.now()),
      };
      log.push(stored);
      return stored;
    });
    for (const c of this.consumers) c.wake();
    return out;
  }

  /** The records of a topic, partition by partition, in offset order. */
  records(topic: string): StoredRecord[] {
    return this.topics.get(topic)?.partitions.flat() ?? [];
  }

  /** Resolves once no consumer has records left to hand over (or is held by a handler that does not return). */
  async settled(): Promise<void> {
    for (let busy = true; busy; ) {
      busy = false;
      for (const c of this.consumers) busy = (await c.idle()) || busy;
    }
  }

  async operation(op: FakeOperation): Promise<void> {
    await this.onOperation?.(op);
  }

  producer(_options?: ProducerOptions): KafkaProducer {
    return new FakeProducer(this);
  }

  transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer {
    return new FakeTransactionalProducer(this, options.transactionalId);
  }

  consumer(options: ConsumerOptions): BatchConsumer {
    return new FakeConsumer(this, options);
  }

  admin(): KafkaAdmin {
    return new FakeAdmin(this);
  }
}

const toBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);

/** FNV-1a of the key: stable, so one key stays in one partition (not Kafka's murmur2). */
function partitionOf(key: Buffer | string | null | undefined, partitions: number): number {
  const bytes = toBuffer(key);
  if (!bytes) return 0;
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % partitions;
}
