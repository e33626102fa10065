import { type ColumnDef, SluiceError, type TableSchema, tableKey } from '@sluice/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';

/**
 * Column types and keys of source tables, from information_schema. Cached per table until a DDL
 * invalidates it. (Known gap until the capture issue: a backlog read after an ALTER uses the
 * schema of now, not of the event's time.)
 */
export class TableCatalog {
  private readonly pool: Pool;
  private readonly cache = new Map<string, Promise<TableSchema>>();

  private readonly declaredKeys: Record<string, string[]>;

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

  invalidate(database?: string, table?: string): void {
    if (database && table) this.cache.delete(tableKey(database, table));
    else this.cache.clear();
  }

  private async load(database: string, table: string): Promise<TableSchema> {
    const [cols] = await this.pool.execute<RowDataPacket[]>(
      `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, COLLATION_NAME
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [database, table],
    );
    if (cols.length === 0) {
      throw new SluiceError('SOURCE_TABLE_UNSUPPORTED', `table ${database}.${table} no longer exists on the source`);
    }
    const columns: ColumnDef[] = cols.map((c) => ({
      name: c.COLUMN_NAME,
      sqlType: c.COLUMN_TYPE,
      nullable: c.IS_NULLABLE === 'YES',
      charset: c.CHARACTER_SET_NAME,
      collation: c.COLLATION_NAME,
    }));
    const [idx] = await this.pool.execute<RowDataPacket[]>(
      `SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
      [database, table],
    );
    const declared = this.declaredKeys[`${database}.${table}`];
    if (declared) {
      const missing = declared.filter((k) => !columns.some((c) => c.name === k));
      if (missing.length) {
        throw new SluiceError(
          'SOURCE_TABLE_UNSUPPORTED',
          `keys.${database}.${table} names columns the table does not have: ${missing.join(', ')}`,
        );
      }
      return { database, table, columns, primaryKey: declared };
    }
    return { database, table, columns, primaryKey: chooseKey(database, table, columns, idx as IndexRow[]) };
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
