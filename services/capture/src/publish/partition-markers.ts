import {
  type OutgoingRecord,
  PARTITION_HEADER,
  type PartitionHeader,
  type PartitionMove,
  type RecordHeaders,
  structureFromAttributes,
} from '@sluice/core';
import type { TableName } from '../event/ddl-statement.ts';
import type { PartitionMoveStatement } from '../event/partition-move.ts';

type Out = { topic: string; message: OutgoingRecord };
type Encoding = { topic: string; valueId: number };

/** The `PARTITION BY` clause a table's value schema carries (`sluice.partitioning`), if any. */
export function partitioningOf(valueSchema: Record<string, unknown> | undefined): string | undefined {
  const before = (valueSchema?.fields as { name: string; type: unknown }[] | undefined)?.find((f) => f.name === 'before');
  const record = Array.isArray(before?.type) ? (before.type as unknown[]).find((t) => typeof t === 'object' && t) : undefined;
  return record ? structureFromAttributes(record as Record<string, unknown>)?.partitioning : undefined;
}

/** The header of a TRUNCATE / DROP PARTITION marker: the partitioning before the statement. */
export const partitioningHeader = (partitioning: string | undefined): RecordHeaders | undefined =>
  partitioning ? { [PARTITION_HEADER]: JSON.stringify({ partitioning } satisfies PartitionHeader) } : undefined;

export interface MoveIo {
  accept: (t: TableName) => boolean;
  /** The encoding the table's marker is written with: before the statement, or of now. */
  encoding: (t: TableName, which: 'before' | 'now') => Promise<Encoding | undefined>;
  partitions: (topic: string) => Promise<number>;
  /** The partitioned table's `PARTITION BY` clause before the statement. */
  partitioningBefore: (t: TableName) => Promise<string | undefined>;
  /** One marker on every partition of `enc`'s topic, with these headers. */
  marker: (t: TableName, enc: Encoding, headers: RecordHeaders) => Promise<Out[]>;
}

/**
 * EXCHANGE PARTITION and CONVERT PARTITION/TABLE: a marker on every partition of both tables'
 * topics (each captured one), all with one `sluice.partition` header naming the move and how many
 * markers it has. A sink moves the rows once every one of them is applied (sink
 * apply/partition-moves.ts), so that no row of either table is applied out of order with it.
 *
 * The partitioned table's marker has its definition of now (the columns are unchanged); the other
 * table's has its last one (EXCHANGE; CONVERT TABLE, after which it is gone) or the one of now
 * (CONVERT PARTITION creates it).
 */
export async function moveMarkers(move: PartitionMoveStatement, id: string, io: MoveIo): Promise<Out[]> {
  const table = io.accept(move.table)
    ? ((await io.encoding(move.table, 'now')) ?? (await io.encoding(move.table, 'before')))
    : undefined;
  const other = io.accept(move.other)
    ? move.op === 'out'
      ? await io.encoding(move.other, 'now')
      : ((await io.encoding(move.other, 'before')) ?? (await io.encoding(move.other, 'now')))
    : undefined;
  if (!table && !other) return [];
  const partitions = (table ? await io.partitions(table.topic) : 0) + (other ? await io.partitions(other.topic) : 0);
  const partitioning = await io.partitioningBefore(move.table);
  const header: PartitionMove = {
    id,
    op: move.op,
    table: move.table,
    partition: move.partition,
    other: move.other,
    captured: { table: table !== undefined, other: other !== undefined },
    partitions,
    ...(move.definition ? { definition: move.definition } : {}),
  };
  const headers: RecordHeaders = {
    [PARTITION_HEADER]: JSON.stringify({ ...(partitioning ? { partitioning } : {}), move: header } satisfies PartitionHeader),
  };
  const out: Out[] = [];
  if (table) out.push(...(await io.marker(move.table, table, headers)));
  if (other) out.push(...(await io.marker(move.other, other, headers)));
  return out;
}
