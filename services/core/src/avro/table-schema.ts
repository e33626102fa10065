import type { TableStructure } from '../definition/table-definition.ts';
import type { ColumnDefault } from './column-default.ts';

/** A source table as capture sees it and as sinks need it to create and write the target. */
export interface ColumnDef {
  name: string;
  /** The column type as information_schema.COLUMNS.COLUMN_TYPE prints it: "decimal(65,30)", "bigint(20) unsigned". */
  sqlType: string;
  nullable: boolean;
  charset?: string | null;
  collation?: string | null;
  /** The column's DEFAULT (column-default.ts); absent when it has none or it is not known (`unknown`). */
  default?: ColumnDefault;
  /**
   * What is not known of the column as it was when its rows were written: a backlog read across
   * an ALTER takes the column from binlog metadata, which has no default and no collation (and no
   * nullability on a server whose TableMap could not be read). Sinks keep the target's there.
   */
  unknown?: UnknownAttribute[];
  /**
   * The value the rows already in the table got when the source added this column (the ADD
   * statement's DEFAULT), when it differs from `default`: a later DDL changed the default before
   * the capture read the definition. A target adding the column fills its rows with this.
   */
  fill?: ColumnDefault;
  /** COMMENT '...' of the column (absent when empty). */
  comment?: string;
  /** AUTO_INCREMENT. */
  autoIncrement?: true;
  /** ON UPDATE CURRENT_TIMESTAMP[(n)], as canonical text (`current_timestamp(3)`). */
  onUpdate?: string;
  /** A generated column's expression: targets store the values as a plain column (docs/ddl.md). */
  generated?: { expression: string; stored: boolean };
}

export type UnknownAttribute = 'nullable' | 'default' | 'collation';

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
  /**
   * The layout rows were written with before a later DDL (read from binlog metadata while the
   * catalog has moved on): a sink must not drop target columns for it, the target may be ahead.
   */
  pastLayout?: boolean;
  /**
   * Indexes, table options and partitioning, as the source has them now. Absent when not known
   * (a layout rebuilt from binlog metadata): sinks then leave the target's as they are.
   */
  structure?: TableStructure;
}

/** A stable fingerprint: equal fingerprints mean the same Avro schemas. */
export function tableFingerprint(t: TableSchema): string {
  return JSON.stringify([
    t.database,
    t.table,
    t.columns,
    t.primaryKey,
    t.renames ?? {},
    t.structure ?? null,
    t.pastLayout ?? false,
  ]);
}

/**
 * One string per table, for maps and the snapshot's progress: `db.table` as people write it when
 * that is unambiguous (no dot in either name, no leading `[`), else JSON (`["a.b","c"]`): `a.b`.`c`
 * and `a`.`b.c` must not share an entry.
 */
export function tableKey(database: string, table: string): string {
  return database.includes('.') || table.includes('.') || database.startsWith('[')
    ? JSON.stringify([database, table])
    : `${database}.${table}`;
}
