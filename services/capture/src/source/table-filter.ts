import { globToRegExp } from '@sluice/core';

/** Databases that are never captured, whatever the include patterns say. */
export const SYSTEM_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

/**
 * Which tables are captured: `<db>.<table>` patterns with * and ?; exclude wins over include;
 * system databases are always out.
 */
export class TableFilter {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(opts: { include: string[]; exclude: string[] }) {
    this.include = opts.include.map(globToRegExp);
    this.exclude = opts.exclude.map(globToRegExp);
  }

  matches(db: string, table: string): boolean {
    if (SYSTEM_DATABASES.has(db.toLowerCase())) return false;
    const name = `${db}.${table}`;
    return this.include.some((r) => r.test(name)) && !this.exclude.some((r) => r.test(name));
  }
}
