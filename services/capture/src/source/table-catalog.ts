import {
  type ColumnDef,
  readTableDefinition,
  SluiceError,
  type SqlFlavor,
  type TableDefinition,
  type TableSchema,
  tableKey,
} from '@sluice/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';

/**
 * Column types, nullability, defaults, keys and the rest of each source table's definition
 * (indexes, options, partitioning: core's readTableDefinition), from information_schema. Cached
 * per table until a DDL invalidates it. A backlog read across an ALTER corrects the column
 * layout from binlog metadata (encode/schema-at-event.ts).
 */
export class TableCatalog {
  private readonly pool: Pool;
  private readonly cache = new Map<string, Promise<TableSchema>>();

  private readonly declaredKeys: Record<string, string[]>;
  private flavor: Promise<SqlFlavor> | undefined;

  /** declaredKeys: unique keys the config declares for tables without a primary key. */
  constructor(pool: Pool, declaredKeys: Record<string, string[]> = {}) {
    this.pool = pool;
    this.declaredKeys = declaredKeys;
  }

  get(database: string, table: string): Promise<TableSchema> {
    const key = tableKey(database, table);
    let p = this.cache.get(key);
    if (!p) {
      p = this.load(database, table);
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  /** Whether the table exists on the source now (a later DDL may have renamed or dropped it). */
  async exists(database: string, table: string): Promise<boolean> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [database, table],
    );
    return rows.length > 0;
  }

  invalidate(database?: string, table?: string): void {
    if (database && table) this.cache.delete(tableKey(database, table));
    else this.cache.clear();
  }

  /** MariaDB quotes string defaults in COLUMN_DEFAULT, MySQL does not (column-default.ts). */
  private sourceFlavor(): Promise<SqlFlavor> {
    this.flavor ??= this.pool.query<RowDataPacket[]>('SELECT VERSION() AS v').then(
      ([[r]]) => (/mariadb/i.test(String(r?.v)) ? 'mariadb' : 'mysql'),
      (err) => {
        this.flavor = undefined;
        throw err;
      },
    );
    return this.flavor;
  }

  /** The table's definition; a TIMESTAMP literal default prints in the session's zone, so UTC. */
  private async definition(flavor: SqlFlavor, database: string, table: string): Promise<TableDefinition | undefined> {
    const conn = await this.pool.getConnection();
    try {
      await conn.query("SET time_zone = '+00:00'");
      return await readTableDefinition(
        async (sql, params) => (await conn.query<RowDataPacket[]>(sql, params))[0],
        flavor,
        database,
        table,
      );
    } finally {
      await conn.query('SET time_zone = DEFAULT').catch(() => undefined);
      conn.release();
    }
  }

  private async load(database: string, table: string): Promise<TableSchema> {
    const flavor = await this.sourceFlavor();
    const def = await this.definition(flavor, database, table);
    if (!def) {
      throw new SluiceError('SOURCE_TABLE_UNSUPPORTED', `table ${database}.${table} no longer exists on the source`);
    }
    const { columns, structure } = def;
    const declared = this.declaredKeys[`${database}.${table}`];
    if (declared) {
      const missing = declared.filter((k) => !columns.some((c) => c.name === k));
      if (missing.length) {
        throw new SluiceError(
          'SOURCE_TABLE_UNSUPPORTED',
          `keys.${database}.${table} names columns the table does not have: ${missing.join(', ')}`,
        );
      }
      return { database, table, columns, primaryKey: declared, structure };
    }
    // A functional index (MySQL 8) has no column to key rows by.
    const keyable = structure.indexes.filter((i) => i.parts.every((p) => p.expression === undefined));
    const idx: IndexRow[] = keyable.flatMap((i) =>
      i.parts.map((p) => ({
        INDEX_NAME: i.name,
        COLUMN_NAME: p.column,
        NON_UNIQUE: i.kind === 'primary' || i.kind === 'unique' ? 0 : 1,
      })),
    );
    return { database, table, columns, primaryKey: chooseKey(database, table, columns, idx), structure };
  }
}

interface IndexRow {
  INDEX_NAME: string;
  COLUMN_NAME: string;
  NON_UNIQUE: number | string;
}

/** The primary key, else the first unique key whose columns are all NOT NULL. */
export function chooseKey(database: string, table: string, columns: ColumnDef[], index: IndexRow[]): string[] {
  const byIndex = new Map<string, string[]>();
  for (const r of index) {
    if (Number(r.NON_UNIQUE) !== 0) continue;
    byIndex.set(r.INDEX_NAME, [...(byIndex.get(r.INDEX_NAME) ?? []), r.COLUMN_NAME]);
  }
  const nullable = new Set(columns.filter((c) => c.nullable).map((c) => c.name));
  const primary = byIndex.get('PRIMARY');
  if (primary) return primary;
  for (const cols of byIndex.values()) if (!cols.some((c) => nullable.has(c))) return cols;
  throw new SluiceError(
    'SOURCE_TABLE_UNSUPPORTED',
    `table ${database}.${table} has no primary key and no NOT NULL unique key, so its rows cannot be keyed; ` +
      `add a primary key, declare a unique key (keys: { "${database}.${table}": [...] }) or exclude the table (tables.exclude)`,
  );
}
