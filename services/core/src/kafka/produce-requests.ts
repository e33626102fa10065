import type { OutgoingRecord, TopicRecords } from './port/records.ts';

/** The client (kafkajs) groups a request's messages per partition in quadratic time: keep requests short. */
const SEND_MAX_RECORDS = 1000;

const recordSize = (m: OutgoingRecord): number => (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64;

/** Splits records into produce requests of at most maxBytes each (a larger single record goes alone). */
export function chunkRecords(
  records: { topic: string; message: OutgoingRecord }[],
  maxBytes: number,
  maxRecords = SEND_MAX_RECORDS,
): TopicRecords[][] {
  const chunks: TopicRecords[][] = [];
  let current = new Map<string, OutgoingRecord[]>();
  let size = 0;
  let count = 0;
  const flush = () => {
    if (current.size) chunks.push([...current].map(([topic, messages]) => ({ topic, messages })));
    current = new Map();
    size = 0;
    count = 0;
  };
  for (const { topic, message } of records) {
    const n = recordSize(message);
    if (size > 0 && (size + n > maxBytes || count >= maxRecords)) flush();
    count++;
    const list = current.get(topic) ?? [];
    if (list.length === 0) current.set(topic, list);
    list.push(message);
    size += n;
  }
  flush();
  return chunks;
}
