import type { ConsumedRecord, PartitionOffset } from './records.ts';

export interface ConsumerOptions {
  groupId: string;
  /** false (the default) reads read_committed: records of open or aborted transactions are never seen. */
  readUncommitted?: boolean;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  /** Bytes a fetch takes of one partition, and of all. */
  maxBytesPerPartition?: number;
  maxBytes?: number;
  /** How long a fetch waits for records when there are none. */
  maxWaitTimeInMs?: number;
}

/** The records of one partition fetched together, in offset order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  /** The partition's end (the last stable offset under read_committed) when fetched. */
  highWatermark: string;
  messages: ConsumedRecord[];
}

export interface BatchPayload {
  batch: RecordBatch;
  /** Marks records up to this offset as processed: after a pause or seek, fetching goes on after it. */
  resolveOffset(offset: string): void;
  /** Keeps the member in the group while a batch takes long (throttled by the client). */
  heartbeat(): Promise<void>;
  /** Pauses this batch's partition; the function returned resumes it. */
  pause(): () => void;
}

export interface MessagePayload {
  topic: string;
  partition: number;
  message: ConsumedRecord;
  heartbeat(): Promise<void>;
}

export interface RunOptions {
  /** false: offsets move only by commitOffsets (sluice's sinks commit after the target did). */
  autoCommit?: boolean;
  /** false: a batch's offsets count as processed only up to resolveOffset. */
  eachBatchAutoResolve?: boolean;
  /** Partitions whose batches are handled at once (each partition's batches stay in order). */
  partitionsConsumedConcurrently?: number;
  eachBatch?: (payload: BatchPayload) => Promise<void>;
  eachMessage?: (payload: MessagePayload) => Promise<void>;
}

/** What a consumer tells while it runs. */
export interface ConsumerEventMap {
  /** The consumer stopped on an error; with restart it rejoins by itself, otherwise it is done. */
  crash: { error: Error; restart: boolean };
  /** A fetch was answered (an idle one after maxWaitTimeInMs). */
  fetch: Record<string, never>;
  /** A heartbeat was answered. */
  heartbeat: Record<string, never>;
  /** Offsets were committed. */
  commit: Record<string, never>;
  /** A request had no answer in time. */
  'request-timeout': { apiName: string };
  /** A batch handler returned. */
  'batch-end': { topic: string; partition: number; lastOffset: string };
  /** The member joined the group (after each rebalance) with these partitions. */
  'group-join': { memberAssignment: Record<string, number[]> };
}

/**
 * A group member reading batches. Call order: connect, subscribe (topics are resolved when run
 * starts: subscribing to a new topic means a new consumer), run, then pause/resume/seek at any
 * time. Batches of one partition are handed over one at a time, in order. A handler's error
 * makes the client retry the batch (it is fetched again from the last resolved offset) and may
 * end in a crash event. disconnect() waits for the batches in hand; in a run with autoCommit
 * false it hands over no new one and their commits go through, and a commit after it fails with
 * ConsumerLeftError (kafkaRebalanced).
 */
export interface BatchConsumer {
  connect(): Promise<void>;
  subscribe(
    subscription: { topics: (string | RegExp)[]; fromBeginning?: boolean } | { topic: string | RegExp; fromBeginning?: boolean },
  ): Promise<void>;
  /** Resolves once the consumer runs (not when it stops). */
  run(options: RunOptions): Promise<void>;
  pause(topics: { topic: string; partitions?: number[] }[]): void;
  resume(topics: { topic: string; partitions?: number[] }[]): void;
  /** The next fetch of the partition starts at the offset. */
  seek(at: PartitionOffset): void;
  /** Commits the group's offsets (the offset of the next record to read); fails when the group rebalanced meanwhile or the consumer left it (kafkaRebalanced). */
  commitOffsets(offsets: PartitionOffset[]): Promise<void>;
  on<E extends keyof ConsumerEventMap>(event: E, listener: (payload: ConsumerEventMap[E]) => void): void;
  disconnect(): Promise<void>;
}

/** A commit asked of a consumer that left its group (kafkajs would drop it quietly): not committed, read again. */
export class ConsumerLeftError extends Error {
  readonly type = 'CONSUMER_LEFT';
  constructor(offsets: PartitionOffset[]) {
    super(
      `offsets not committed: the consumer left its group (${offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}`).join(', ')})`,
    );
    this.name = 'ConsumerLeftError';
  }
}
