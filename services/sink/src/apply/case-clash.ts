import { SluiceError, tableKey } from '@sluice/core';

/**
 * Source tables whose names differ only in case (`T` and `t`: two tables on a Linux MySQL or
 * MariaDB) are one table in a target that compares names without case (TiDB always;
 * MySQL/MariaDB with lower_case_table_names 1 or 2): writing both would merge them silently.
 * Remembers the target names this sink writes and refuses the second of such a pair.
 */
export class CaseClash {
  private readonly seen = new Map<string, { database: string; table: string }>();

  /** Throws TARGET_NAME_CLASH when another table this sink writes folds to the same name. */
  check(t: { database: string; table: string }): void {
    const folded = tableKey(t.database.toLowerCase(), t.table.toLowerCase());
    const first = this.seen.get(folded);
    if (!first) {
      this.seen.set(folded, { database: t.database, table: t.table });
      return;
    }
    if (first.database === t.database && first.table === t.table) return;
    throw new SluiceError(
      'TARGET_NAME_CLASH',
      `tables ${first.database}.${first.table} and ${t.database}.${t.table} would be one table in the target, ` +
        'which compares names without case: route one of them to another name (routes:)',
    );
  }
}
