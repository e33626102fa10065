import { describe, expect, it } from 'vitest';
import { nativeHeaders, nativeRecord, transactionalProducerConfig } from './confluent-options.ts';

describe('transactionalProducerConfig', () => {
  const conf = transactionalProducerConfig(
    { brokers: ['k1:9092', 'k2:9092'], clientId: 'sluice-capture' },
    { transactionalId: 'sluice-capture-c1', transactionTimeoutMs: 900_000 },
  );

  it('maps the port options to librdkafka settings', () => {
    expect(conf).toMatchObject({
      'bootstrap.servers': 'k1:9092,k2:9092',
      'client.id': 'sluice-capture',
      'transactional.id': 'sluice-capture-c1',
      'transaction.timeout.ms': 900_000,
      'enable.idempotence': true,
    });
  });

  it("places keys as kafkajs and Java do (murmur2), not by librdkafka's CRC32 default", () => {
    expect(conf.partitioner).toBe('murmur2_random');
  });

  it('turns delivery reports off and leaves the record size limit to the broker', () => {
    expect(conf.dr_cb).toBe(false);
    expect(conf.dr_msg_cb).toBe(false);
    expect(conf['message.max.bytes']).toBe(1_000_000_000);
  });
});

describe('nativeRecord', () => {
  it('turns strings into bytes and keeps nulls (a tombstone), partition and timestamp', () => {
    expect(nativeRecord({ key: 'k', value: null, partition: 3, timestamp: '1700000000123' })).toEqual({
      key: Buffer.from('k'),
      value: null,
      partition: 3,
      timestamp: 1_700_000_000_123,
      headers: undefined,
    });
    const value = Buffer.from([0, 1, 2]);
    expect(nativeRecord({ value })).toEqual({ key: null, value, partition: null, timestamp: null, headers: undefined });
  });
});

describe('nativeHeaders', () => {
  it('gives one entry per value, repeated names in order, undefined values left out', () => {
    expect(nativeHeaders({ a: 'x', b: [Buffer.from('1'), '2'], c: undefined })).toEqual([
      { a: 'x' },
      { b: Buffer.from('1') },
      { b: '2' },
    ]);
  });

  it('gives nothing for no headers', () => {
    expect(nativeHeaders(undefined)).toBeUndefined();
    expect(nativeHeaders({ c: undefined })).toBeUndefined();
  });
});
