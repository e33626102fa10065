import type { PartitionMove, RenameHeader } from '@sluice/core';
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
/** Where a marker is in Kafka: its note in the target says that everything before it there is applied. */
export interface MarkerAt {
  topic: string;
  partition: number;
  offset: string;
}

export type TableAction =
  | {
      kind: 'rename';
      rename: RenameHeader;
      from: TargetName;
      to: TargetName;
      partition: number;
      at?: MarkerAt;
      /** The marker's statement and source position: what a refusal names (marker-decisions.ts). */
      statement?: string;
      position?: string;
    }
  | {
      kind: 'partition';
      statement: string;
      partition: PartitionStatement;
      /** The marker's source position: with the statement, its decision id (marker-decisions.ts). */
      position?: string;
      /** On a topic of several partitions: run once all `partitions` reached the marker (`at` is this one). */
      barrier?: { id: string; partitions: number; at: number; marker?: MarkerAt };
      /** The source's partitioning before the statement (marker header): rows to delete where the target is not partitioned so. */
      partitioning?: string;
      /** EXCHANGE / CONVERT PARTITION (apply/partition-moves.ts): both tables routed; `side` is this marker's table. */
      move?: PartitionMove & { target: { table: TargetName; other: TargetName }; side: 'table' | 'other' };
    };
