import { PartitionRowsRefused, partitionRows, qualified, type RowsCondition, SluiceError } from '@sluice/core';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { TargetName } from '../plan/table-action.ts';

/**
 * The rows a source partition held, as a condition on the target table (core definition/partition-rows.ts),
 * or a stop naming the table, the statement and why it cannot be computed exactly
 * (PARTITION_DDL_UNSUPPORTED): sluice never deletes approximately.
 */
export function rowsOfPartitions(
  partitioning: string | undefined,
  partitions: string[],
  t: TargetName,
  statement: string,
): RowsCondition {
  const stop = (why: string): never => {
    throw new SluiceError(
      'PARTITION_DDL_UNSUPPORTED',
      `${statement} cannot be applied to target table ${t.database}.${t.table}: the rows of the source's partition ${partitions.join(', ')} cannot be told exactly (${why}); sluice does not delete or move rows approximately`,
    );
  };
  if (!partitioning) return stop('the marker carries no partitioning of the source (a capture older than this sink)');
  try {
    return partitionRows(partitioning, partitions);
  } catch (err) {
    if (err instanceof PartitionRowsRefused) return stop(err.message);
    throw err;
  }
}

/**
 * TRUNCATE / DROP PARTITION on a target table that is not partitioned like the source: delete
 * the rows the source's partitions held (`all`: every row). One statement, so one transaction.
 */
export async function deletePartitionRows(
  db: Pool | PoolConnection,
  t: TargetName,
  partitioning: string | undefined,
  partitions: string[] | 'all',
  statement: string,
): Promise<number> {
  const table = qualified(t.database, t.table);
  if (partitions === 'all') {
    const [r] = await db.query(`DELETE FROM ${table}`);
    return (r as { affectedRows: number }).affectedRows;
  }
  const where = rowsOfPartitions(partitioning, partitions, t, statement);
  const [r] = await db.query(`DELETE FROM ${table} WHERE ${where.sql}`, where.params);
  return (r as { affectedRows: number }).affectedRows;
}
