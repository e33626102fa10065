/** Record headers: a name to one value or several (Kafka allows repeated header names). */
export interface RecordHeaders {
  [name: string]: Buffer | string | (Buffer | string)[] | undefined;
}

/** A record to produce. Without a partition, the client picks one by the key's hash (murmur2, Kafka's default). */
export interface OutgoingRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: RecordHeaders;
  timestamp?: string;
}

/** Records for one topic in a produce request. */
export interface TopicRecords {
  topic: string;
  messages: OutgoingRecord[];
}

/** A record as read: offsets and timestamps are decimal strings (64-bit). */
export interface ConsumedRecord {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
  headers?: RecordHeaders;
}

/** A position in a partition; offsets are decimal strings (64-bit). */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}
