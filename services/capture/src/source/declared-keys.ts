import { SluiceError } from '@sluice/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';

/**
 * Start-up check of `keys:` (unique keys declared for tables without a primary key): every column
 * must exist and be NOT NULL. A NULL in a key column cannot be keyed, so such a declaration would
 * stop capture at the first NULL row; it is refused before anything is read. Declarations of tables
 * that do not exist (yet) are checked when the table is first captured.
 */
export async function checkDeclaredKeys(pool: Pool, keys: Record<string, string[]>): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, columns] of Object.entries(keys)) {
    const dot = name.indexOf('.');
    const [database, table] = [name.slice(0, dot), name.slice(dot + 1)];
    const [rows] = await pool.execute<RowDataPacket[]>(
      'SELECT COLUMN_NAME, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [database, table],
    );
    if (rows.length === 0) continue;
    const nullable = new Map(rows.map((r) => [String(r.COLUMN_NAME), r.IS_NULLABLE === 'YES']));
    for (const c of columns) {
      if (!nullable.has(c)) problems.push(`keys."${name}": the table has no column ${c}`);
      else if (nullable.get(c)) {
        problems.push(
          `keys."${name}": column ${c} is nullable; a key column must be NOT NULL (ALTER TABLE ... MODIFY ${c} ... NOT NULL), or declare other columns`,
        );
      }
    }
  }
  return problems;
}

export async function assertDeclaredKeys(pool: Pool, keys: Record<string, string[]>): Promise<void> {
  const problems = await checkDeclaredKeys(pool, keys);
  if (problems.length) throw new SluiceError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
}
