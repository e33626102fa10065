import { BinlogPosition, buildTableAvro, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { EncodedTable } from '../encode/table-registry.ts';
import type { SourceEvent } from '../source/binlog-reader.ts';
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
const insert = (id: number): SourceEvent => ({
  kind: 'rows',
  op: 'insert',
  database: 'shop',
  table: 'items',
  rows: [{ id, v: id }],
  ts_ms: 1,
  bytes: 10,
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
