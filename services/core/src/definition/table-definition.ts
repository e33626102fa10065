import type { ColumnDef } from '../avro/table-schema.ts';

/** How an index orders and constrains its rows. `primary` is the table's PRIMARY KEY. */
export type IndexKind = 'primary' | 'unique' | 'index' | 'fulltext' | 'spatial';

/** One indexed column: its name, a prefix length (`a(10)`) and descending order where the server keeps it. */
export interface IndexPart {
  column: string;
  length?: number;
  desc?: true;
  /** A functional key part (MySQL 8: `((lower(a)))`): represented so that it can be named, never created. */
  expression?: string;
}

export interface IndexDef {
  name: string;
  kind: IndexKind;
  parts: IndexPart[];
  comment?: string;
}

/** The table's own options that a copy carries. */
export interface TableOptions {
  comment?: string;
  charset?: string;
  collation?: string;
}

/**
 * Everything of a table's definition beyond its columns: indexes (the primary key included),
 * options, and the `PARTITION BY ...` clause as text (without MySQL's version comment and
 * per-partition ENGINE). Foreign keys are deliberately not part of it: copies do not carry them.
 */
export interface TableStructure {
  indexes: IndexDef[];
  options: TableOptions;
  partitioning?: string;
}

/** A table as its server defines it: columns (with their extras: comment, AUTO_INCREMENT, ON UPDATE, generated) and structure. */
export interface TableDefinition {
  database: string;
  table: string;
  columns: ColumnDef[];
  structure: TableStructure;
}

/** The primary key's columns, if the structure has one. */
export const primaryColumns = (s: TableStructure): string[] | undefined =>
  s.indexes.find((i) => i.kind === 'primary')?.parts.map((p) => p.column);
