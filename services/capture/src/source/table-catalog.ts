import { type ColumnDef, parseColumnDefault, SluiceError, type SqlFlavor, type TableSchema, tableKey } from '@sluice/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';

/**
 * Column types, nullability, defaults and keys of source tables, from information_schema. Cached
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

  /** The COLUMNS rows of a table; a TIMESTAMP literal default prints in the session's zone, so UTC. */
  private async columnRows(database: string, table: string): Promise<RowDataPacket[]> {
    const conn = await this.pool.getConnection();
    try {
      await conn.query("SET time_zone = '+00:00'");
      const [rows] = await conn.execute<RowDataPacket[]>(
        `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_DEFAULT, EXTRA
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
        [database, table],
      );
      return rows;
    } finally {
      await conn.query('SET time_zone = DEFAULT').catch(() => undefined);
      conn.release();
    }
  }

  private async load(database: string, table: string): Promise<TableSchema> {
    const flavor = await this.sourceFlavor();
    const cols = await this.columnRows(database, table);
    if (cols.length === 0) {
      throw new SluiceError('SOURCE_TABLE_UNSUPPORTED', `table ${database}.${table} no longer exists on the source`);
    }
    const columns: ColumnDef[] = cols.map((c) => {
      const nullable = c.IS_NULLABLE === 'YES';
      const def = parseColumnDefault({
        flavor,
        raw: c.COLUMN_DEFAULT === null ? null : String(c.COLUMN_DEFAULT),
        extra: String(c.EXTRA ?? ''),
        sqlType: c.COLUMN_TYPE,
        nullable,
      });
      return {
        name: c.COLUMN_NAME,
        sqlType: c.COLUMN_TYPE,
        nullable,
        charset: c.CHARACTER_SET_NAME,
        collation: c.COLLATION_NAME,
        ...(def ? { default: def } : {}),
      };
    });
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
