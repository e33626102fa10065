/** A source table as capture sees it and as sinks need it to create and write the target. */
export interface ColumnDef {
  name: string;
  /** The column type as information_schema.COLUMNS.COLUMN_TYPE prints it: "decimal(65,30)", "bigint(20) unsigned". */
  sqlType: string;
  nullable: boolean;
  charset?: string | null;
  collation?: string | null;
}

export interface TableSchema {
  database: string;
  table: string;
  columns: ColumnDef[];
  /** Column names of the key that topics are keyed by (primary key, or a declared unique key). */
  primaryKey: string[];
}

/** A stable fingerprint: equal fingerprints mean the same Avro schemas. */
export function tableFingerprint(t: TableSchema): string {
  return JSON.stringify([t.database, t.table, t.columns, t.primaryKey]);
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
