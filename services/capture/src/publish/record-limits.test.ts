import { BATCH_OVERHEAD_BYTES } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { describeKey, RecordLimits } from './record-limits.ts';

const message = (bytes: number) => ({ key: Buffer.alloc(10), value: Buffer.alloc(bytes - 10) });

describe('RecordLimits', () => {
  it('stops on a record over the ceiling, naming the table, the key and the setting', () => {
    const limits = new RecordLimits(2 * 1024 * 1024, async () => undefined);
    expect(() => limits.check({ database: 'shop', table: 'blobs' }, { id: 7 }, message(2 * 1024 * 1024))).not.toThrow();
    expect(() => limits.check({ database: 'shop', table: 'blobs' }, { id: 7 }, message(2 * 1024 * 1024 + 1))).toThrow(
      expect.objectContaining({
        code: 'RECORD_TOO_LARGE',
        retriable: false,
        message: expect.stringMatching(/shop\.blobs \(key \{"id":7\}\).*2097153 bytes.*maxRecordBytes \(2097152\)/),
      }),
    );
  });

  it("makes topics take records over Kafka's 1 MiB default, once per topic with the largest size", async () => {
    const fitted: [string, number][] = [];
    const limits = new RecordLimits(64 * 1024 * 1024, async (topic, bytes) => {
      fitted.push([topic, bytes]);
    });
    await limits.fit([
      { topic: 'a', message: message(100) },
      { topic: 'b', message: message(3_000_000) },
      { topic: 'b', message: message(5_000_000) },
      { topic: 'c', message: message(900_000) },
    ]);
    expect(fitted).toEqual([['b', 5_000_000 + BATCH_OVERHEAD_BYTES]]);
  });

  it('describes keys of any type briefly', () => {
    expect(describeKey({ id: 12345678901234567890n, b: Buffer.from([0, 255]) } as never)).toBe(
      '{"id":"12345678901234567890","b":"0x00ff"}',
    );
    expect(describeKey({ s: 'x'.repeat(500) }).length).toBeLessThan(210);
  });
});
