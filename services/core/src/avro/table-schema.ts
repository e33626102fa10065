import type { ColumnDefault } from './column-default.ts';

/** A source table as capture sees it and as sinks need it to create and write the target. */
export interface ColumnDef {
  name: string;
  /** The column type as information_schema.COLUMNS.COLUMN_TYPE prints it: "decimal(65,30)", "bigint(20) unsigned". */
  sqlType: string;
  nullable: boolean;
  charset?: string | null;
  collation?: string | null;
  /** The column's DEFAULT (column-default.ts); absent when it has none or it is not known (approximate). */
  default?: ColumnDefault;
  /** Read from binlog metadata (a backlog across an ALTER): nullability, default and collation are not known. */
  approximate?: boolean;
}

export interface TableSchema {
  database: string;
  table: string;
  columns: ColumnDef[];
  /** Column names of the key that topics are keyed by (primary key, or a declared unique key). */
  primaryKey: string[];
  /**
   * Column renames the source made (from its ALTER statements): by current name, the former
   * names, most recent first. Kept across versions so that a sink at any older version renames.
   */
  renames?: Record<string, string[]>;
}

/** A stable fingerprint: equal fingerprints mean the same Avro schemas. */
export function tableFingerprint(t: TableSchema): string {
  return JSON.stringify([t.database, t.table, t.columns, t.primaryKey, t.renames ?? {}]);
}
