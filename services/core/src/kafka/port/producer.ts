import type { OutgoingRecord, TopicRecords } from './records.ts';

/** Where a produce request's records went, per partition. */
export interface ProduceResult {
  topicName: string;
  partition: number;
  errorCode: number;
  /** The offset of the first record of this request in the partition. */
  baseOffset?: string;
}

/** Sending records: one request, possibly to several partitions; resolves when the brokers acknowledged it. */
export interface RecordSender {
  /** acks: -1 (all in-sync replicas, the default of idempotent producers), 1 (the leader), 0 (none). */
  send(request: { topic: string; messages: OutgoingRecord[]; acks?: number }): Promise<ProduceResult[]>;
  sendBatch(request: { topicMessages: TopicRecords[] }): Promise<ProduceResult[]>;
}

/**
 * A plain (optionally idempotent) producer. connect() before the first send; disconnect() waits for
 * requests in flight. Errors are the client's: read them with classifyKafkaError.
 */
export interface KafkaProducer extends RecordSender {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * One Kafka transaction. Records sent into it are seen by read_committed readers only after
 * commit(); abort() drops them. After a failed send or commit, call abort() (a fenced producer's
 * abort fails with the fencing error too: it is the one that tells). A send may resolve once its
 * records are queued, with no per-partition results (the Confluent adapter, delivery reports off):
 * commit() is what confirms them, and fails when any was not delivered.
 */
export interface KafkaTransaction extends RecordSender {
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * A producer with a transactional id. connect() initialises it with the broker, which fences any
 * older producer with the same id (its next send, commit or abort fails with an error that
 * classifyKafkaError calls KAFKA_FENCED) and aborts that producer's open transaction. One
 * transaction at a time: begin the next after the last committed or aborted.
 */
export interface TransactionalProducer {
  connect(): Promise<void>;
  /** Begins a transaction. */
  transaction(): Promise<KafkaTransaction>;
  disconnect(): Promise<void>;
}
