import type { SourceBlock, Tso } from '@sluice/core';
import type { EncodedTable } from '../encode/table-registry.ts';
import { buildChanges } from '../event/change-builder.ts';
import { CONNECTOR_VERSION, prepareRow, type TableChange } from '../event/transaction-assembler.ts';
import type { RowChange } from './row-diff.ts';

/**
 * A cycle's row changes as keyed records (change-builder.ts), in the envelope the binlog capture
 * publishes: the source block names the read point as the position (tso.000000:<ms>, the TSO in
 * `sequence`), and a delete across a layout change is encoded in the layout before it.
 */
export function cycleRecords(
  changes: RowChange[],
  o: {
    before: EncodedTable;
    now: EncodedTable;
    at: Tso;
    /** Row index of the first change in the cycle. */
    firstRow: number;
    prefix: string;
    serverId: number;
    tombstones: boolean;
  },
): TableChange[] {
  return changes.flatMap((c, i) => {
    const table = c.op === 'delete' ? o.before : o.now;
    const source: SourceBlock = {
      version: CONNECTOR_VERSION,
      connector: 'sluice',
      name: o.prefix,
      ts_ms: o.at.physicalMs,
      snapshot: 'false',
      db: table.source.database,
      sequence: o.at.toString(),
      table: table.source.table,
      server_id: o.serverId,
      gtid: null,
      file: o.at.asPosition().file,
      pos: o.at.physicalMs,
      row: o.firstRow + i,
      thread: null,
      query: null,
    };
    return buildChanges({
      op: c.op,
      before: prepareRow(c.before, table.masks),
      after: prepareRow(c.after, table.masks),
      table: table.schema,
      avro: table.avro,
      source,
      tombstones: o.tombstones,
      now: Date.now(),
    }).map((change) => ({ table, change }));
  });
}
