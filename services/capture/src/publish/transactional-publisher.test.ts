import { createLogger, SluiceError } from '@sluice/core';
import { FakeKafka, type FakeOperation } from '@sluice/core/testing';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from './checkpoint.ts';
import { type CheckpointRecords, type PublishUnit, TransactionalPublisher } from './transactional-publisher.ts';

const CHECKPOINTS = 'p._checkpoints';
const log = createLogger('test', 'silent');

/** Checkpoint records that name their position, so a test can see which checkpoint a transaction carried. */
const codec: CheckpointRecords = {
  topic: CHECKPOINTS,
  encode: async (c: Checkpoint) => ({ key: Buffer.from(c.capture_id), value: Buffer.from(`${c.file}:${c.pos}`) }),
};

const checkpoint = (pos: number): Checkpoint => ({
  capture_id: 'c1',
  server_id: 1,
  file: 'bin.000001',
  pos,
  gtid_set: null,
  source_ts_ms: 0,
  ts_ms: 0,
  snapshot: null,
});

/** One source transaction: its rows on table topics, the checkpoint after it. */
const unit = (pos: number, rows: { topic: string; key: string }[]): PublishUnit => ({
  messages: rows.map((r) => ({ topic: r.topic, message: { key: r.key, value: `${r.key}@${pos}` } })),
  checkpoint: checkpoint(pos),
  bytes: 100,
  encodedBytes: 100,
});

async function setup(kafka = new FakeKafka()) {
  const producer = kafka.transactionalProducer({ transactionalId: 'sluice-capture-c1', transactionTimeoutMs: 60_000 });
  await producer.connect();
  const publisher = new TransactionalPublisher({ producer, codec, log, maxBytes: 1 << 20 });
  return { kafka, producer, publisher };
}

const values = (kafka: FakeKafka, topic: string) => kafka.records(topic).map((r) => r.value?.toString());

describe('TransactionalPublisher on the fake Kafka', () => {
  it('groups the source transactions that arrive during a commit into the next Kafka transaction, with the last checkpoint', async () => {
    const kafka = new FakeKafka();
    // The first commit waits until three more source transactions are queued behind it.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let commits = 0;
    kafka.onOperation = async (op: FakeOperation) => {
      if (op.kind === 'commit' && commits++ === 0) await held;
    };
    const { publisher } = await setup(kafka);
    await publisher.add(unit(10, [{ topic: 'p.db.a', key: 'a1' }]));
    await publisher.add(unit(20, [{ topic: 'p.db.a', key: 'a2' }]));
    await publisher.add(unit(30, [{ topic: 'p.db.b', key: 'b1' }]));
    await publisher.add(unit(40, [{ topic: 'p.db.a', key: 'a3' }]));
    expect(kafka.records('p.db.a')).toEqual([]);
    release();
    await publisher.drain();

    // Two Kafka transactions: the first unit with its checkpoint, then the three queued ones with the last checkpoint.
    expect(kafka.transactions).toEqual([
      { transactionalId: 'sluice-capture-c1', outcome: 'committed', records: 2 },
      { transactionalId: 'sluice-capture-c1', outcome: 'committed', records: 4 },
    ]);
    expect(values(kafka, CHECKPOINTS)).toEqual(['bin.000001:10', 'bin.000001:40']);
    expect(values(kafka, 'p.db.a')).toEqual(['a1@10', 'a2@20', 'a3@40']);
    expect(values(kafka, 'p.db.b')).toEqual(['b1@30']);
    expect(publisher.lastCheckpoint?.pos).toBe(40);
    expect(publisher.idle).toBe(true);
  });

  it('keeps a streamed source transaction in one open Kafka transaction until the part with its checkpoint', async () => {
    const { kafka, publisher } = await setup();
    await publisher.add({ ...unit(0, [{ topic: 'p.db.a', key: 'part1' }]), checkpoint: undefined });
    await publisher.add({ ...unit(0, [{ topic: 'p.db.a', key: 'part2' }]), checkpoint: undefined });
    await kafka.settled();
    expect(kafka.records('p.db.a')).toEqual([]);
    await publisher.add(unit(50, [{ topic: 'p.db.a', key: 'end' }]));
    await publisher.drain();
    expect(kafka.transactions.map((t) => [t.outcome, t.records])).toEqual([['committed', 4]]);
    expect(values(kafka, 'p.db.a')).toEqual(['part1@0', 'part2@0', 'end@50']);
  });

  it('aborts the Kafka transaction when a send fails: none of its records, nor its checkpoint, are committed', async () => {
    const kafka = new FakeKafka();
    let sends = 0;
    kafka.onOperation = (op) => {
      // The second transaction's send fails as a broker outage does.
      if (op.kind === 'send' && ++sends === 2)
        throw Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    };
    const { publisher } = await setup(kafka);
    await publisher.add(unit(10, [{ topic: 'p.db.a', key: 'a1' }]));
    await publisher.drain();
    await publisher.add(unit(20, [{ topic: 'p.db.a', key: 'a2' }])).catch(() => undefined);
    const failure = await publisher.drain().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(SluiceError);
    expect((failure as SluiceError).code).toBe('KAFKA_UNAVAILABLE');
    expect((failure as SluiceError).retriable).toBe(true);
    expect(kafka.transactions.map((t) => t.outcome)).toEqual(['committed', 'aborted']);
    expect(values(kafka, 'p.db.a')).toEqual(['a1@10']);
    expect(values(kafka, CHECKPOINTS)).toEqual(['bin.000001:10']);
    expect(publisher.lastCheckpoint?.pos).toBe(10);
    // Failed for good: the run ends and a new one resumes from the checkpoint.
    await expect(publisher.add(unit(30, []))).rejects.toBe(failure);
  });

  it('fails with KAFKA_FENCED (not retriable) when a newer producer with the same id took over', async () => {
    const { kafka, publisher } = await setup();
    await publisher.add(unit(10, [{ topic: 'p.db.a', key: 'a1' }]));
    await publisher.drain();
    // The standby starts: its producer fences this one.
    const newer = kafka.transactionalProducer({ transactionalId: 'sluice-capture-c1', transactionTimeoutMs: 60_000 });
    await newer.connect();
    await publisher.add(unit(20, [{ topic: 'p.db.a', key: 'a2' }])).catch(() => undefined);
    const failure = (await publisher.drain().catch((e: unknown) => e)) as SluiceError;
    expect(failure.code).toBe('KAFKA_FENCED');
    expect(failure.retriable).toBe(false);
    expect(values(kafka, 'p.db.a')).toEqual(['a1@10']);
  });

  it('reports the fencing even when the send failed otherwise first (the abort tells)', async () => {
    const kafka = new FakeKafka();
    const { publisher } = await setup(kafka);
    kafka.onOperation = async (op) => {
      if (op.kind !== 'send') return;
      // A newer instance fences this one while its send is refused for an unrelated reason.
      await kafka.transactionalProducer({ transactionalId: 'sluice-capture-c1', transactionTimeoutMs: 60_000 }).connect();
      throw Object.assign(new Error('The server experienced an unexpected error'), {
        name: 'KafkaJSProtocolError',
        type: 'UNKNOWN_SERVER_ERROR',
      });
    };
    await publisher.add(unit(10, [{ topic: 'p.db.a', key: 'a1' }])).catch(() => undefined);
    const failure = (await publisher.drain().catch((e: unknown) => e)) as SluiceError;
    expect(failure.code).toBe('KAFKA_FENCED');
  });
});
