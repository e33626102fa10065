import { describe, expect, it } from 'vitest';
import { chunkRecords } from './produce-requests.ts';

const rec = (topic: string, bytes: number) => ({ topic, message: { key: Buffer.alloc(10), value: Buffer.alloc(bytes - 74) } });

describe('chunkRecords', () => {
  it('keeps each produce request under the limit, in order, grouped by topic', () => {
    const records = [rec('a', 400), rec('b', 400), rec('a', 400), rec('a', 400)];
    const chunks = chunkRecords(records, 1000);
    expect(chunks.map((c) => c.map((t) => [t.topic, t.messages.length]))).toEqual([
      [
        ['a', 1],
        ['b', 1],
      ],
      [['a', 2]],
    ]);
  });

  it('sends a record larger than the limit alone', () => {
    expect(chunkRecords([rec('a', 100), rec('a', 5000), rec('a', 100)], 1000).map((c) => c[0]?.messages.length)).toEqual([
      1, 1, 1,
    ]);
  });
});

describe('chunkRecords by count', () => {
  it('caps records per request', () => {
    const many = Array.from({ length: 25 }, () => rec('a', 100));
    expect(chunkRecords(many, 1e9, 10).map((c) => c[0]?.messages.length)).toEqual([10, 10, 5]);
  });
});
