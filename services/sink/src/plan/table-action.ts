import type { RenameHeader } from '@sluice/core';
import type { PartitionStatement } from './partition-statement.ts';

/** A target table name (after routes). */
export interface TargetName {
  database: string;
  table: string;
  /** Several source tables merge into it (a shard route): one shard's table-wide DDL must not touch it. */
  shared?: boolean;
}

/**
 * What a schema-change marker (op `s`) asks of the target beyond following the table's layout
 * (apply/table-actions.ts): rename the table (the marker on the old name's topic), or apply a
 * partition statement that changes rows.
 */
export type TableAction =
  | { kind: 'rename'; rename: RenameHeader; from: TargetName; to: TargetName; partition: number }
  | { kind: 'partition'; statement: string; partition: PartitionStatement };
