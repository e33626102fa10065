import {
  type ColumnCodec,
  type ColumnDef,
  type ColumnDefault,
  codecFor,
  type TableStructure,
  tableFromValueSchema,
  type UnknownAttribute,
} from '@sluice/core';

/** A table as the sink writes it: columns in order, with how to turn Avro values into SQL parameters. */
export interface TargetColumn {
  name: string;
  field: string;
  sqlType: string;
  nullable: boolean;
  charset: string | null;
  collation: string | null;
  codec: ColumnCodec;
  /** The source column's DEFAULT; undefined when it has none (or it is unknown). */
  default?: ColumnDefault;
  /** What the source's rows got when it added the column, where not `default` (a later DDL changed it). */
  fill?: ColumnDefault;
  /** Attributes the source did not know for this version (a backlog read from binlog metadata): the target's are kept. */
  unknown?: UnknownAttribute[];
  /** The source column's COMMENT, AUTO_INCREMENT, ON UPDATE and generation (`sluice.comment`, `sluice.extra`). */
  comment?: string;
  autoIncrement?: true;
  onUpdate?: string;
  generated?: ColumnDef['generated'];
}

/** Former names by current column name, most recent first (the schema's `sluice.renames`). */
export type RenameHistory = Record<string, string[]>;

export interface TargetTable {
  database: string;
  table: string;
  columns: TargetColumn[];
  key: TargetColumn[];
  /** Positions of the key columns in `columns`. */
  keyIndexes: number[];
  /** Identity of this column layout (database, table, columns): equal ids, same statements. */
  id: string;
  /** Several source tables merge into this one (a shard route): table-wide events of one source must not touch it. */
  shared?: boolean;
  /** The source's column renames (from its DDL), to rename target columns instead of dropping and adding them. */
  renames?: RenameHistory;
  /** The source table (routes change database and table). */
  origin?: { database: string; table: string };
  /** Rows written before a later DDL (`sluice.pastLayout`): the target may be ahead, so no column is dropped for it. */
  pastLayout?: boolean;
  /** The source table's indexes, options and partitioning; undefined when the version does not say (the target's are kept). */
  structure?: TableStructure;
}

/**
 * Reads the table layout out of a sluice value schema (core's tableFromValueSchema), with how
 * to turn each field's Avro values into SQL parameters. Pure: no registry, no I/O.
 */
export function targetTableFromSchema(valueSchema: Record<string, unknown>): TargetTable {
  const { table: t, fields } = tableFromValueSchema(valueSchema);
  const columns = t.columns.map(
    (c, i): TargetColumn => ({
      ...c,
      field: fields[i] as string,
      charset: c.charset ?? null,
      collation: c.collation ?? null,
      codec: codecFor(c.sqlType),
    }),
  );
  const byName = new Map(columns.map((c) => [c.name, c]));
  const key = t.primaryKey.map((k) => byName.get(k) as TargetColumn);
  const { database, table, structure } = t;
  const keyIndexes = key.map((k) => columns.indexOf(k));
  const renames = t.renames ?? {};
  return {
    database,
    table,
    columns,
    key,
    keyIndexes,
    // Everything the target's DDL follows: a version that differs only in a default is another layout.
    id: JSON.stringify([
      database,
      table,
      columns.map((c) => [
        c.name,
        c.sqlType,
        c.nullable,
        c.charset,
        c.collation,
        c.default ?? null,
        c.fill ?? null,
        c.unknown ?? [],
        c.comment ?? '',
        !!c.autoIncrement,
        c.onUpdate ?? '',
      ]),
      renames,
      structure ?? null,
      t.pastLayout === true,
    ]),
    renames,
    origin: { database, table },
    ...(structure ? { structure } : {}),
    ...(t.pastLayout ? { pastLayout: true } : {}),
  };
}
