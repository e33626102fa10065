import { buildTableAvro, type SourceBlock, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import {
  CandidateBatch,
  deleteEnvelope,
  goneOf,
  type KeyCandidate,
  keyParams,
  paddedCount,
  presentKeysSql,
  rowImageOf,
} from './gone-keys.ts';

const candidate = (hex: string, after: Record<string, unknown>, valueSchemaId = 7): KeyCandidate => ({
  keyHex: hex,
  key: Buffer.from(hex, 'hex'),
  keyRow: { id: after.id },
  after,
  valueSchemaId,
});

const source: SourceBlock = {
  version: '1',
  connector: 'sluice',
  name: 'p',
  ts_ms: 1,
  snapshot: 'last',
  db: 'd',
  sequence: null,
  table: 't',
  server_id: 1,
  gtid: null,
  file: 'binlog.000002',
  pos: 4,
  row: 0,
  thread: null,
  query: null,
};

describe('keys gone from the source', () => {
  it('keeps one candidate per key in a batch, with its last image', () => {
    const b = new CandidateBatch();
    b.add(candidate('00aa', { id: 1, v: 'old' }));
    b.add(candidate('00bb', { id: 2, v: 'x' }));
    b.add(candidate('00aa', { id: 1, v: 'new' }, 9));
    expect(b.size).toBe(2);
    const taken = b.take();
    expect(taken.map((c) => [c.keyHex, c.after.v, c.valueSchemaId])).toEqual([
      ['00bb', 'x', 7],
      ['00aa', 'new', 9],
    ]);
    expect(b.size).toBe(0);
  });

  it('drops a key whose delete or tombstone follows its image in the batch', () => {
    const b = new CandidateBatch();
    b.add(candidate('01', { id: 1 }));
    b.add(candidate('02', { id: 2 }));
    b.forget('01');
    b.forget('09');
    expect(b.take().map((c) => c.keyHex)).toEqual(['02']);
  });

  it('finds gone keys by their key bytes', () => {
    const cs = [candidate('01', { id: 1 }), candidate('02', { id: 2 }), candidate('03', { id: 3 })];
    expect(goneOf(cs, new Set(['02'])).map((c) => c.keyHex)).toEqual(['01', '03']);
    expect(goneOf(cs, new Set(['01', '02', '03']))).toEqual([]);
  });

  it('turns Avro key values into statement parameters through the column codecs', () => {
    const table: TableSchema = {
      database: 'd',
      table: 't',
      columns: [
        { name: 'a', sqlType: 'bigint(20)', nullable: false },
        { name: 'when', sqlType: 'datetime', nullable: false },
        { name: 'b', sqlType: 'varbinary(4)', nullable: false },
        { name: 'v', sqlType: 'int(11)', nullable: true },
      ],
      primaryKey: ['a', 'when', 'b'],
    } as unknown as TableSchema;
    const avro = buildTableAvro('p', table);
    const params = keyParams(avro.keyFields, { a: 12345678901234n, when: 86_400_000, b: Buffer.from([1, 2]) });
    expect(params).toEqual(['12345678901234', '1970-01-02 00:00:00.000000', Buffer.from([1, 2])]);
  });

  it('asks for a batch of keys with one quoted IN list, padded to few statement shapes', () => {
    expect(presentKeysSql('d', 'we`ird', ['a', 'b'], 2)).toBe(
      'SELECT `a`, `b` FROM `d`.`we``ird` WHERE (`a`, `b`) IN ((?, ?), (?, ?))',
    );
    expect([1, 8, 9, 300, 512, 513].map(paddedCount)).toEqual([8, 8, 16, 512, 512, 1024]);
  });

  it('builds the delete of a gone key from its last image, marked as a snapshot record', () => {
    const env = deleteEnvelope({ id: 4, v: 'x' }, source, 99);
    expect(env).toEqual({
      before: { id: 4, v: 'x' },
      after: null,
      source: { ...source, snapshot: 'true' },
      op: 'd',
      ts_ms: 99,
      transaction: null,
    });
  });

  it('checks only row images: creates, updates and snapshot reads with an after', () => {
    expect(rowImageOf({ op: 'r', after: { id: 1 } })).toEqual({ id: 1 });
    expect(rowImageOf({ op: 'u', before: {}, after: { id: 1 } })).toEqual({ id: 1 });
    expect(rowImageOf({ op: 'd', before: { id: 1 }, after: null })).toBeUndefined();
    expect(rowImageOf({ op: 'c', after: null })).toBeUndefined();
    expect(rowImageOf(null)).toBeUndefined();
  });
});
