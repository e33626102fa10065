import { createLogger, createMetricsRegistry, SluiceError } from '@sluice/core';
import { FakeKafka } from '@sluice/core/testing';
import { describe, expect, it } from 'vitest';
import { sinkConfigSchema } from './config.ts';
import type { TargetChange } from './decode/change-decoder.ts';
import type { TargetTable } from './decode/target-table.ts';
import { SinkMetrics } from './observe/sink-metrics.ts';
import type { TablePlan } from './plan/batch-plan.ts';
import { Sink, type SinkTarget } from './sink.ts';

const PREFIX = 'p';
const SINK = 'tidb-a';
const log = createLogger('test', 'silent');

const table = (name: string): TargetTable => ({
  database: 'db',
  table: name,
  columns: [],
  key: [],
  keyIndexes: [],
  id: `db.${name}`,
});

/**
 * The test's records are JSON `{ t, k }` (a row of table t with key k); "poison" is not a record
 * at all (DECODE_FAILED, as a value without Avro framing is).
 */
const decoder = {
  decodeKnown: (value: Buffer | null): TargetChange | undefined => {
    const text = value?.toString() ?? '';
    if (text === 'poison') throw new SluiceError('DECODE_FAILED', 'not a sluice Avro record (no magic byte)');
    const { t, k } = JSON.parse(text) as { t: string; k: number };
    return { kind: 'upsert', op: 'c', table: table(t), key: [k], row: [k], sourceTsMs: 0, position: `bin.1:${k}`, version: '' };
  },
  decode: async (value: Buffer | null): Promise<TargetChange> => decoder.decodeKnown(value) as TargetChange,
};

/** A target that keeps the rows it was given, and refuses a row of key 666 (TARGET_REJECTED, as a constraint does). */
class MemoryTarget implements SinkTarget {
  readonly rows: string[] = [];
  renameWaits = { overdue: async () => undefined, over: async () => undefined };

  async apply(plans: TablePlan[]): Promise<{ staleSkipped: number }> {
    const rows = plans.flatMap((p) => p.upserts.map((r) => `${p.table.table}:${r[0]}`));
    if (rows.some((r) => r.endsWith(':666'))) throw new SluiceError('TARGET_REJECTED', 'check constraint failed for key 666');
    this.rows.push(...rows);
    return { staleSkipped: 0 };
  }

  async markerFloor(): Promise<bigint | undefined> {
    return undefined;
  }

  async renameDone(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}

function start(onError: 'dlq' | 'stop', records: Record<string, string[]>) {
  const kafka = new FakeKafka();
  for (const [topic, values] of Object.entries(records)) {
    kafka.createTopic(topic);
    kafka.append(values.map((value) => ({ topic, message: { key: value, value } })));
  }
  const cfg = sinkConfigSchema.parse({
    sinkName: SINK,
    target: { url: 'mysql://u:p@h:3306/' },
    kafka: { brokers: ['k:9092'] },
    schemaRegistry: { url: 'http://r/' },
    topicPrefix: PREFIX,
    onError,
  });
  const target = new MemoryTarget();
  const sink = new Sink(cfg, target, log, new SinkMetrics(createMetricsRegistry('sink')), undefined, { kafka, decoder });
  const running = sink.run().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { kafka, target, sink, running };
}

/** Lets the event loop run until the sink consumes (its start is a chain of port calls); no clock involved. */
async function consuming(sink: Sink): Promise<void> {
  for (let i = 0; i < 1000 && !sink.ready; i++) await new Promise((r) => setImmediate(r));
  expect(sink.ready).toBe(true);
}

const row = (t: string, k: number) => JSON.stringify({ t, k });
const committed = (kafka: FakeKafka, topic: string) => kafka.groups.get(SINK)?.get(`${topic}:0`);

describe('Sink dead letters on the fake Kafka', () => {
  it('onError dlq: a poison record of one table goes to the DLQ with its reason; that table and the others go on', async () => {
    const { kafka, target, sink } = start('dlq', {
      'p.db.a': [row('a', 1), 'poison', row('a', 3)],
      'p.db.b': [row('b', 1), row('b', 2)],
    });
    await consuming(sink);
    await kafka.settled();
    await sink.stop();

    expect(target.rows.filter((r) => r.startsWith('a:'))).toEqual(['a:1', 'a:3']);
    expect(target.rows.filter((r) => r.startsWith('b:'))).toEqual(['b:1', 'b:2']);
    const [letter, ...more] = kafka.records(`p.dlq.${SINK}`);
    expect(more).toEqual([]);
    expect(letter?.value?.toString()).toBe('poison');
    expect(letter?.headers?.['sluice.error.code']).toBe('DECODE_FAILED');
    expect(letter?.headers?.['sluice.source.topic']).toBe('p.db.a');
    expect(letter?.headers?.['sluice.source.offset']).toBe('1');
    // Offsets move past the dead letter once it is in the DLQ.
    expect(committed(kafka, 'p.db.a')).toBe('3');
    expect(committed(kafka, 'p.db.b')).toBe('2');
  });

  it('onError dlq: a row the target refuses goes to the DLQ; the rows around it are applied', async () => {
    const { kafka, target, sink } = start('dlq', { 'p.db.a': [row('a', 1), row('a', 666), row('a', 3)] });
    await consuming(sink);
    await kafka.settled();
    await sink.stop();
    expect(target.rows).toEqual(['a:1', 'a:3']);
    const letters = kafka.records(`p.dlq.${SINK}`);
    expect(letters.map((l) => [l.headers?.['sluice.error.code'], l.headers?.['sluice.source.offset']])).toEqual([
      ['TARGET_REJECTED', '1'],
    ]);
    expect(committed(kafka, 'p.db.a')).toBe('3');
  });

  it('onError stop: the sink stops at the poison record, names it, and commits nothing past it', async () => {
    const { kafka, target, sink, running } = start('stop', { 'p.db.a': [row('a', 1), 'poison', row('a', 3)] });
    const err = (await running) as SluiceError;
    await kafka.settled();
    await sink.stop();
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.code).toBe('DECODE_FAILED');
    expect(target.rows).not.toContain('a:3');
    expect(kafka.records(`p.dlq.${SINK}`)).toEqual([]);
    expect(Number(committed(kafka, 'p.db.a') ?? '0')).toBeLessThanOrEqual(1);
  });
});
