import { BinlogPosition, buildTableAvro, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { EncodedTable } from '../encode/table-registry.ts';
import type { SourceEvent } from '../source/binlog-reader.ts';
import { ROW_MEMORY_BYTES } from '../source/event-cost.ts';
import { TransactionAssembler } from './transaction-assembler.ts';

const schema: TableSchema = {
  database: 'shop',
  table: 'items',
  columns: [
    { name: 'id', sqlType: 'int(11)', nullable: false },
    { name: 'v', sqlType: 'int(11)', nullable: true },
  ],
  primaryKey: ['id'],
};
const table = {
  schema,
  source: schema,
  masks: new Map(),
  enumRepairs: new Map(),
  avro: buildTableAvro('sluice', schema),
  topic: 'sluice.shop.items',
  keyId: 1,
  valueId: 2,
} as EncodedTable;

const at = (pos: number) => new BinlogPosition('binlog.000001', pos);
const begin = (gtid: string): SourceEvent => ({ kind: 'begin', gtid, ts_ms: 1 });
const insert = (id: number, pos = 50): SourceEvent => ({
  kind: 'rows',
  op: 'insert',
  database: 'shop',
  table: 'items',
  rows: [{ id, v: id }],
  ts_ms: 1,
  bytes: 10,
  position: at(pos),
  exactEnums: true,
  binlogTable: undefined,
});
const xa = (kind: 'xa_prepare', xid: string, pos: number): SourceEvent => ({
  kind,
  xid,
  position: at(pos),
  gtid: null,
  ts_ms: 1,
});
const outcome = (xid: string, commit: boolean, pos: number, gtid: string): SourceEvent => ({
  kind: 'xa_outcome',
  xid,
  commit,
  position: at(pos),
  gtid,
  ts_ms: 1,
});

async function run(events: SourceEvent[]) {
  const a = new TransactionAssembler({ prefix: 'sluice', serverId: 1, tombstones: false, table: async () => table });
  const out = [];
  for (const e of events) {
    const txn = await a.push(e);
    if (txn) out.push({ pos: txn.position.pos, ids: txn.changes.map((c) => c.change.key.id) });
  }
  return out;
}

describe('XA transactions', () => {
  it('publish a prepared transaction at its XA COMMIT, with the transactions in between on their own', async () => {
    expect(
      await run([
        begin('0-1-1'),
        insert(1),
        xa('xa_prepare', "X'31',X'',1", 100),
        begin('0-1-2'),
        insert(2),
        { kind: 'commit', position: at(200), gtid: '0-1-2', ts_ms: 1 },
        outcome("X'31',X'',1", true, 300, '0-1-3'),
      ]),
    ).toEqual([
      { pos: 100, ids: [] },
      { pos: 200, ids: [2] },
      { pos: 300, ids: [1] },
    ]);
  });

  it('drop a prepared transaction at its XA ROLLBACK', async () => {
    expect(await run([begin('g1'), insert(1), xa('xa_prepare', 'x', 100), outcome('x', false, 200, 'g2')])).toEqual([
      { pos: 100, ids: [] },
      { pos: 200, ids: [] },
    ]);
  });

  it('stop at an XA COMMIT whose prepare was never read, naming it', async () => {
    await expect(run([outcome("X'31',X'',1", true, 300, 'g3')])).rejects.toMatchObject({
      code: 'SOURCE_XA_UNKNOWN',
      message: expect.stringContaining("XA COMMIT X'31',X'',1 at binlog.000001:300"),
    });
  });
});

describe('a transaction larger than the capture holds', () => {
  const streamed = async (events: SourceEvent[]) => {
    // A part goes out after every third row event (10 bytes and one row each).
    const a = new TransactionAssembler({
      prefix: 'sluice',
      serverId: 1,
      tombstones: false,
      table: async () => table,
      streamBytes: 3 * (10 + ROW_MEMORY_BYTES) - 5,
    });
    const out = [];
    for (const e of events) {
      const txn = await a.push(e);
      if (!txn) continue;
      const values = txn.changes.map((c) => c.change.value);
      out.push({
        partial: !!txn.partial,
        part: txn.part,
        id: txn.id,
        pos: txn.position.pos,
        rows: values.map((v) => [v?.after?.id, v?.source.pos, v?.transaction?.total_order]),
      });
    }
    return out;
  };

  it('goes out in parts as it is read, numbered on across them, the last part at the commit', async () => {
    const rows = [1, 2, 3, 4, 5, 6, 7].map((id) => insert(id, 100 + id));
    expect(await streamed([begin('0-1-9'), ...rows, { kind: 'commit', position: at(200), gtid: '0-1-9', ts_ms: 1 }])).toEqual([
      {
        partial: true,
        part: 1,
        id: '0-1-9',
        pos: 103,
        rows: [
          [1, 103, 1],
          [2, 103, 2],
          [3, 103, 3],
        ],
      },
      {
        partial: true,
        part: 2,
        id: '0-1-9',
        pos: 106,
        rows: [
          [4, 106, 4],
          [5, 106, 5],
          [6, 106, 6],
        ],
      },
      { partial: false, part: 3, id: '0-1-9', pos: 200, rows: [[7, 200, 7]] },
    ]);
  });

  it('keeps small transactions whole, and a source without GTIDs names a streamed one by its first part', async () => {
    const small = [begin('g1'), insert(1), { kind: 'commit', position: at(60), gtid: 'g1', ts_ms: 1 } as SourceEvent];
    expect(await streamed(small)).toEqual([{ partial: false, part: undefined, id: 'g1', pos: 60, rows: [[1, 60, 1]] }]);
    const noGtid = [1, 2, 3, 4].map((id) => insert(id, 100 + id));
    const out = await streamed([...noGtid, { kind: 'commit', position: at(300), gtid: null, ts_ms: 1 }]);
    expect(out.map((p) => p.id)).toEqual(['binlog.000001:103', 'binlog.000001:103']);
  });

  it('stops at the XA PREPARE of a streamed XA transaction, naming it', async () => {
    await expect(
      streamed([begin('g1'), insert(1), insert(2), insert(3), xa('xa_prepare', "X'32',X'',1", 150)]),
    ).rejects.toMatchObject({ code: 'SOURCE_XA_TOO_LARGE', message: expect.stringContaining("XA PREPARE X'32',X'',1") });
  });
});

describe('transactions a sink of the other direction wrote (origin marker)', () => {
  const marker = (pos: number): SourceEvent => ({
    ...(insert(0, pos) as Extract<SourceEvent, { kind: 'rows' }>),
    database: '_sluice',
    table: 'origin_marker',
  });
  const commit = (pos: number, gtid: string): SourceEvent => ({ kind: 'commit', position: at(pos), gtid, ts_ms: 1 });

  it('are left out whole, their position still taken; the others are kept', async () => {
    let marked = 0;
    const a = new TransactionAssembler({
      prefix: 'sluice',
      serverId: 1,
      tombstones: false,
      table: async () => table,
      marker: (db, t) => db === '_sluice' && t === 'origin_marker',
      onMarked: () => marked++,
    });
    const events = [
      begin('0-1-1'),
      marker(10),
      insert(1, 20),
      insert(2, 30),
      commit(40, '0-1-1'),
      begin('0-1-2'),
      insert(3, 50),
      commit(60, '0-1-2'),
    ];
    const out = [];
    for (const e of events) {
      const t = await a.push(e);
      if (t) out.push(t);
    }
    expect(out.map((t) => [t.position.pos, t.changes.length])).toEqual([
      [40, 0],
      [60, 1],
    ]);
    expect(marked).toBe(1);
  });
});
