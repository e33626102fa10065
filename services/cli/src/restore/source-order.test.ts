import type { ArchivedRecord } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { mergeBySourceOrder, PartitionCursor, sourceOrder } from './source-order.ts';

/** A change at a GTID (with its transaction's binlog position) or at a file:pos without GTID. */
const rec = (partition: number, offset: number, position: string, tsSec = 0, at = 4): ArchivedRecord => {
  const gtid = /^\d+-\d+-\d+$/.test(position) ? position : null;
  const [file, pos] = gtid ? ['b.000001', at] : position.split(':');
  return {
    topic: 't',
    partition,
    offset: String(offset),
    timestamp: 0,
    headers: {},
    schemaId: 1,
    envelope: Buffer.alloc(0),
    source: { db: 'd', table: 't', ts_ms: tsSec * 1000, gtid, file: String(file), pos: Number(pos) },
  };
};

async function* files(records: ArchivedRecord[][]): AsyncGenerator<Iterator<{ r: ArchivedRecord }>> {
  for (const f of records) yield f.map((r) => ({ r }))[Symbol.iterator]();
}

describe('source order', () => {
  it('orders by GTID within a domain, by file:pos, else by source time', () => {
    expect(sourceOrder(rec(0, 0, '0-1-9'), rec(1, 0, '0-2-10'))).toBe(-1);
    expect(sourceOrder(rec(0, 0, '0-1-10'), rec(1, 0, '0-1-10'))).toBe(0);
    expect(sourceOrder(rec(0, 0, 'b.000002:4'), rec(1, 0, 'b.000001:900'))).toBe(1);
    expect(sourceOrder(rec(0, 0, '1-1-1', 5, 900), rec(1, 0, '0-1-9', 4, 800))).toBe(1);
    expect(sourceOrder(rec(0, 0, 'x', 5), rec(1, 0, 'y', 4))).toBe(1);
  });

  it('places a DDL marker (no GTID) by its binlog position among GTID changes of the same second', async () => {
    // Both partitions carry the ALTER's marker at b.000001:500, between GTIDs 7 (at 400) and 8 (at 600).
    const p0 = new PartitionCursor(
      files([[rec(0, 0, '0-1-7', 9, 400), rec(0, 1, 'b.000001:500', 9), rec(0, 2, '0-1-8', 9, 600)]]),
    );
    const p1 = new PartitionCursor(
      files([[rec(1, 0, '0-1-7', 9, 400), rec(1, 1, 'b.000001:500', 9), rec(1, 2, '0-1-8', 9, 600)]]),
    );
    const out: string[] = [];
    for await (const { r } of mergeBySourceOrder([p0, p1])) out.push(`${r.partition}@${r.offset}`);
    expect(out).toEqual(['0@0', '1@0', '0@1', '1@1', '0@2', '1@2']);
  });

  it('merges the partitions of a table into source order, file after file', async () => {
    const p0 = new PartitionCursor(files([[rec(0, 0, '0-1-1'), rec(0, 1, '0-1-4')], [rec(0, 2, '0-1-5')]]));
    const p1 = new PartitionCursor(files([[], [rec(1, 0, '0-1-2'), rec(1, 1, '0-1-3')], [rec(1, 2, '0-1-6')]]));
    const out: string[] = [];
    for await (const { r } of mergeBySourceOrder([p0, p1])) out.push(`${r.partition}@${r.offset}`);
    expect(out).toEqual(['0@0', '1@0', '1@1', '0@1', '0@2', '1@2']);
  });
});
