import { qualified } from '@sluice/core';
import type { Session } from '../shared/session.ts';

/** The target tables a restore would write that exist and hold rows (the refusal's list). */
export async function nonEmptyTables(s: Session, tables: { database: string; table: string }[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) {
    const [n] = await s.rows('SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [
      t.database,
      t.table,
    ]);
    if (!Number(n?.[0])) continue;
    const rows = await s.rows(`SELECT 1 FROM ${qualified(t.database, t.table)} LIMIT 1`);
    if (rows.length) out.push(`${t.database}.${t.table}`);
  }
  return out;
}

/** --overwrite: the tables go first, so the restored copy holds nothing but the restored rows. */
export async function dropTables(s: Session, tables: { database: string; table: string }[]): Promise<void> {
  for (const t of tables) await s.rows(`DROP TABLE IF EXISTS ${qualified(t.database, t.table)}`);
}
