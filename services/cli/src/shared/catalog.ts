import type { TableShape } from '../verify/comparison.ts';
import type { Session } from './session.ts';

/** Databases that hold no user data on any supported server. */
const SYSTEM = ['mysql', 'information_schema', 'performance_schema', 'sys', 'metrics_schema', 'inspection_schema'];

/** Every base table outside the system databases (and the sinks' checkpoint schema). */
export async function listTables(
  s: Session,
  skipSchemas: string[] = ['_sluice'],
): Promise<{ database: string; table: string }[]> {
  const skip = [...SYSTEM, ...skipSchemas.map((x) => x.toLowerCase())];
  const rows = await s.rows(
    `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND LOWER(TABLE_SCHEMA) NOT IN (${skip.map(() => '?').join(', ')}) ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    skip,
  );
  return rows.map((r) => ({ database: String(r[0]), table: String(r[1]) }));
}

/**
 * Columns and key of a table, or undefined if it does not exist. The key is the primary key,
 * else the first unique key whose columns are all NOT NULL (what capture keys topics by).
 */
export async function readShape(s: Session, database: string, table: string): Promise<TableShape | undefined> {
  const cols = await s.rows(
    'SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [database, table],
  );
  if (!cols.length) return undefined;
  const idx = await s.rows(
    'SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX',
    [database, table],
  );
  const nullable = new Set(cols.filter((c) => c[3] === 'YES').map((c) => String(c[0])));
  const indexes = new Map<string, string[]>();
  for (const [name, col] of idx) indexes.set(String(name), [...(indexes.get(String(name)) ?? []), String(col)]);
  const primary = indexes.get('PRIMARY');
  const unique = [...indexes.values()].find((c) => c.every((n) => !nullable.has(n)));
  return {
    database,
    table,
    columns: cols.map((c) => ({ name: String(c[0]), dataType: String(c[1]), columnType: String(c[2]) })),
    key: primary ?? unique ?? [],
  };
}
