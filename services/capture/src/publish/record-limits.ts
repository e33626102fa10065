import {
  type AvroRow,
  BATCH_OVERHEAD_BYTES,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  type OutgoingRecord,
  SluiceError,
} from '@sluice/core';

export const recordBytes = (m: OutgoingRecord): number =>
  ((m.key as Buffer | null)?.length ?? 0) + ((m.value as Buffer | null)?.length ?? 0);

/** A key for an error message: short, and readable whatever its types. */
export function describeKey(key: AvroRow): string {
  const text = JSON.stringify(key, (_k, v) =>
    typeof v === 'bigint'
      ? v.toString()
      : v?.type === 'Buffer' && Array.isArray(v.data)
        ? `0x${Buffer.from(v.data).toString('hex')}`
        : v,
  );
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The largest record capture publishes (design contract 10): a record over maxRecordBytes stops
 * the capture naming the table, the key and the setting, instead of failing every Kafka
 * transaction as if the broker were down. Records over Kafka's 1 MiB default make their topic
 * take them first (TopicManager.fit).
 */
export class RecordLimits {
  private readonly maxRecordBytes: number;
  private readonly fitTopic: (topic: string, bytes: number) => Promise<void>;

  constructor(maxRecordBytes: number, fitTopic: (topic: string, bytes: number) => Promise<void>) {
    this.maxRecordBytes = maxRecordBytes;
    this.fitTopic = fitTopic;
  }

  check(table: { database: string; table: string }, key: AvroRow, message: OutgoingRecord): void {
    const bytes = recordBytes(message);
    if (bytes <= this.maxRecordBytes) return;
    throw new SluiceError(
      'RECORD_TOO_LARGE',
      `a change of table ${table.database}.${table.table} (key ${describeKey(key)}) encodes to a Kafka record of ` +
        `${bytes} bytes, over maxRecordBytes (${this.maxRecordBytes}): raise maxRecordBytes in the capture config ` +
        '(an UPDATE carries the row twice, before and after) and restart; capture stops here so that nothing after it is published out of order',
    );
  }

  /** Raises the max.message.bytes of topics that get a record over Kafka's default. */
  async fit(records: { topic: string; message: OutgoingRecord }[]): Promise<void> {
    const need = new Map<string, number>();
    for (const { topic, message } of records) {
      const bytes = recordBytes(message) + BATCH_OVERHEAD_BYTES;
      if (bytes > KAFKA_DEFAULT_MAX_MESSAGE_BYTES && bytes > (need.get(topic) ?? 0)) need.set(topic, bytes);
    }
    for (const [topic, bytes] of need) await this.fitTopic(topic, bytes);
  }
}
