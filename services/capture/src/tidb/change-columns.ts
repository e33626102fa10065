import { SluiceError, tableKey } from '@sluice/core';
import type { TidbSession } from './tidb-session.ts';

/** A table's change column and how its values are written. */
export interface ChangeColumn {
  name: string;
  /** TIMESTAMP compares in UTC; DATETIME holds the writer's zone (the server's global zone). */
  zoned: boolean;
}

/**
 * The change column of each captured table: the configured one (source.query.changeColumns), or
 * the table's only TIMESTAMP/DATETIME column with ON UPDATE CURRENT_TIMESTAMP. None: the table
 * is compared whole every cycle. A configured column that is missing or not temporal stops
 * start-up naming it.
 */
export async function changeColumns(
  session: TidbSession,
  tables: { database: string; table: string }[],
  configured: Record<string, string>,
): Promise<Map<string, ChangeColumn | undefined>> {
  const out = new Map<string, ChangeColumn | undefined>();
  if (tables.length === 0) return out;
  const rows = await session.query(
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS type, EXTRA AS extra
       FROM information_schema.COLUMNS
      WHERE DATA_TYPE IN ('timestamp', 'datetime') AND (TABLE_SCHEMA, TABLE_NAME) IN (${tables.map(() => '(?, ?)').join(', ')})`,
    tables.flatMap((t) => [t.database, t.table]),
  );
  const byTable = new Map<string, { c: string; type: string; extra: string }[]>();
  for (const r of rows) {
    const name = tableKey(String(r.db), String(r.t));
    byTable.set(name, [...(byTable.get(name) ?? []), { c: String(r.c), type: String(r.type), extra: String(r.extra ?? '') }]);
  }
  for (const t of tables) {
    const name = tableKey(t.database, t.table);
    const temporal = byTable.get(name) ?? [];
    const want = configured[`${t.database}.${t.table}`];
    if (want) {
      const col = temporal.find((c) => c.c.toLowerCase() === want.toLowerCase());
      if (!col) {
        throw new SluiceError(
          'CONFIG_INVALID',
          `source.query.changeColumns["${t.database}.${t.table}"]: ${want} is not a TIMESTAMP or DATETIME column of ${name}`,
        );
      }
      out.set(name, { name: col.c, zoned: col.type.toLowerCase() === 'datetime' });
      continue;
    }
    const onUpdate = temporal.filter((c) => /on update current_timestamp/i.test(c.extra));
    const only = onUpdate.length === 1 ? onUpdate[0] : undefined;
    out.set(name, only ? { name: only.c, zoned: only.type.toLowerCase() === 'datetime' } : undefined);
  }
  return out;
}

/**
 * The change-column bound of a cycle: the literal a `>=` compares with. TIMESTAMP columns are
 * read in UTC; DATETIME ones hold wall-clock time in the writers' zone, taken as the server's
 * global zone, less an hour for a daylight-saving change.
 */
export function changeBound(sinceMs: number, column: ChangeColumn, zoneOffsetSec: number): string {
  const ms = column.zoned ? sinceMs + zoneOffsetSec * 1000 - 3_600_000 : sinceMs;
  return new Date(Math.max(0, ms)).toISOString().replace('T', ' ').replace('Z', '');
}
