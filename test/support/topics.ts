import { randomUUID } from 'node:crypto';
import { createKafka, createLogger, Registry } from '@sluice/core';

export interface DecodedRecord {
  partition: number;
  offset: string;
  headers?: Record<string, string>;
  key: Record<string, unknown> | null;
  value: Record<string, unknown> | null;
}

/**
 * Every committed record of a topic (read_committed, from the beginning), decoded through the
 * schema registry. Reads until `expected` records arrived and then `settleMs` more without any,
 * so that duplicates arriving late are seen too.
 */
export async function readTopic(opts: {
  brokers: string[];
  registryUrl: string;
  topic: string;
  expected: number;
  timeoutMs?: number;
  settleMs?: number;
  /** Do not decode key and value (a DLQ holds records as they came); headers only. */
  raw?: boolean;
}): Promise<DecodedRecord[]> {
  const log = createLogger('test-reader', 'warn');
  const kafka = createKafka({ brokers: opts.brokers, clientId: 'sluice-test', log });
  const registry = new Registry(opts.registryUrl);
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, readUncommitted: false });
  const out: DecodedRecord[] = [];
  let lastArrival = Date.now();
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  try {
    // Capture creates a table's topic with its first change; wait for it.
    while (!(await admin.listTopics()).includes(opts.topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${opts.topic} was never created`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        if (opts.raw) {
          out.push({ partition, offset: message.offset, headers, key: null, value: null });
        } else {
          const key = message.key ? ((await registry.decode(message.key)).value as Record<string, unknown>) : null;
          const value = message.value ? ((await registry.decode(message.value)).value as Record<string, unknown>) : null;
          out.push({ partition, offset: message.offset, headers, key, value });
        }
        lastArrival = Date.now();
      },
    });
    const settle = opts.settleMs ?? 3_000;
    while (Date.now() < deadline) {
      if (out.length >= opts.expected && Date.now() - lastArrival > settle) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return out;
  } finally {
    await consumer.disconnect();
  }
}

/** Waits until a topic's end offset reaches `min` (records plus transaction markers). */
export async function waitForEndOffset(opts: {
  brokers: string[];
  topic: string;
  min: number;
  timeoutMs?: number;
}): Promise<number> {
  const kafka = createKafka({ brokers: opts.brokers, clientId: 'sluice-test', log: createLogger('test-admin', 'warn') });
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  try {
    for (;;) {
      const topics = await admin.listTopics();
      if (topics.includes(opts.topic)) {
        const offsets = await admin.fetchTopicOffsets(opts.topic);
        const end = offsets.reduce((n, o) => n + Number(o.high), 0);
        if (end >= opts.min) return end;
      }
      if (Date.now() > deadline) throw new Error(`${opts.topic} did not reach offset ${opts.min}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.disconnect();
  }
}
