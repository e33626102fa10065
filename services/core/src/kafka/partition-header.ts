/**
 * The Kafka header of a partition statement's `s` marker (capture publish/partition-markers.ts;
 * docs/ddl.md, partitions): what a sink needs to apply the statement to a target table that is
 * not partitioned the same way.
 *
 * - `partitioning`: the source table's `PARTITION BY` clause before the statement (the marker's
 *   schema is the one after it, which no longer names a dropped partition).
 * - `move`: EXCHANGE PARTITION and CONVERT PARTITION/TABLE move rows between two tables without
 *   row events. Every partition of both tables' topics carries a marker with the same `id`;
 *   `partitions` counts them all. The sink moves the rows once all have reached it.
 */
export const PARTITION_HEADER = 'sluice.partition';

interface Name {
  database: string;
  table: string;
}

export interface PartitionMove {
  id: string;
  /** exchange: EXCHANGE PARTITION; out: CONVERT PARTITION p TO TABLE; in: CONVERT TABLE o TO PARTITION. */
  op: 'exchange' | 'out' | 'in';
  /** The partitioned table and its partition. */
  table: Name;
  partition: string;
  /** The other table (EXCHANGE's `WITH TABLE`, CONVERT's `TO TABLE` or `CONVERT TABLE`). */
  other: Name;
  /** Whether each table's topic carries markers (a table that is not captured has none). */
  captured: { table: boolean; other: boolean };
  /** Markers of this move over both topics (one per topic partition). */
  partitions: number;
  /** CONVERT TABLE ... TO PARTITION: the partition's definition (`PARTITION p VALUES ...`). */
  definition?: string;
}

export interface PartitionHeader {
  partitioning?: string;
  move?: PartitionMove;
}

const isName = (v: unknown): v is Name =>
  !!v && typeof (v as Name).database === 'string' && typeof (v as Name).table === 'string';

/** The header a marker carries, if any; undefined for anything malformed. */
export function partitionHeaderOf(headers: Record<string, unknown> | undefined): PartitionHeader | undefined {
  const raw = headers?.[PARTITION_HEADER];
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : undefined;
  if (!text) return undefined;
  try {
    const h = JSON.parse(text) as PartitionHeader;
    const out: PartitionHeader = {};
    if (typeof h.partitioning === 'string') out.partitioning = h.partitioning;
    const m = h.move;
    if (
      m &&
      typeof m.id === 'string' &&
      ['exchange', 'out', 'in'].includes(m.op) &&
      isName(m.table) &&
      isName(m.other) &&
      typeof m.partition === 'string' &&
      Number(m.partitions) >= 1
    ) {
      out.move = {
        id: m.id,
        op: m.op,
        table: { database: m.table.database, table: m.table.table },
        partition: m.partition,
        other: { database: m.other.database, table: m.other.table },
        captured: { table: m.captured?.table !== false, other: m.captured?.other !== false },
        partitions: Number(m.partitions),
        ...(typeof m.definition === 'string' ? { definition: m.definition } : {}),
      };
    }
    return out;
  } catch {
    return undefined;
  }
}
