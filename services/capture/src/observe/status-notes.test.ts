import { createLogger, SluiceError } from '@sluice/core';
import { FakeKafka } from '@sluice/core/testing';
import { describe, expect, it } from 'vitest';
import { StatusNotes } from './status-notes.ts';

const log = createLogger('test', 'silent');
const written = (kafka: FakeKafka) =>
  (kafka.topics.get('p._capture_status')?.partitions[0] ?? []).map((r) => ({
    key: r.key?.toString(),
    ...JSON.parse(String(r.value)),
  }));

describe('StatusNotes', () => {
  it('writes each state as JSON by capture id on a compacted topic', async () => {
    const kafka = new FakeKafka();
    const notes = new StatusNotes(kafka, 'p', 'c1', log);
    await notes.failing(new SluiceError('SOURCE_UNREACHABLE', 'source gone'), 2, Date.parse('2026-12-02T05:00:00Z'));
    await notes.running();
    expect(kafka.topics.get('p._capture_status')?.configs.get('cleanup.policy')).toBe('compact');
    expect(written(kafka)).toEqual([
      expect.objectContaining({
        key: 'c1',
        state: 'failing',
        code: 'SOURCE_UNREACHABLE',
        failures: 2,
        since: '2026-12-02T05:00:00.000Z',
      }),
      expect.objectContaining({ key: 'c1', state: 'running', code: null }),
    ]);
    await notes.close();
  });

  it('keeps only the newest note while one is being written, so an outage queues nothing', async () => {
    const kafka = new FakeKafka();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    kafka.onOperation = async (op) => {
      if (op.kind === 'send') await held;
    };
    const notes = new StatusNotes(kafka, 'p', 'c1', log);
    const first = notes.failing(new SluiceError('KAFKA_UNAVAILABLE', 'a'), 1, 0);
    void notes.failing(new SluiceError('KAFKA_UNAVAILABLE', 'b'), 2, 0);
    void notes.failing(new SluiceError('KAFKA_UNAVAILABLE', 'c'), 3, 0);
    const last = notes.running();
    release();
    await Promise.all([first, last]);
    expect(written(kafka).map((n) => n.state + n.failures)).toEqual(['failing1', 'running0']);
    await notes.close();
  });
});
