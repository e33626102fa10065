import { globToRegExp } from '@sluice/core';

/** Databases that are never captured, whatever the include patterns say. */
export const SYSTEM_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

/** A `db.table` pattern (config patterns hold exactly one dot) as a whole and by part. */
interface Pattern {
  name: RegExp;
  db: RegExp;
  allTables: boolean;
}

const pattern = (glob: string): Pattern => {
  const dot = glob.indexOf('.');
  return { name: globToRegExp(glob), db: globToRegExp(glob.slice(0, dot)), allTables: glob.slice(dot + 1) === '*' };
};

/**
 * Which tables are captured: `<db>.<table>` patterns with * and ?; exclude wins over include;
 * system databases are always out.
 */
export class TableFilter {
  private readonly include: Pattern[];
  private readonly exclude: Pattern[];
  /** Tables never captured whatever the patterns say (online schema-change tools' tables, online-ddl.ts). */
  private readonly never: (table: string) => boolean;

  constructor(opts: { include: string[]; exclude: string[] }, never: (table: string) => boolean = () => false) {
    this.include = opts.include.map(pattern);
    this.exclude = opts.exclude.map(pattern);
    this.never = never;
  }

  matches(db: string, table: string): boolean {
    if (SYSTEM_DATABASES.has(db.toLowerCase()) || this.never(table)) return false;
    const name = `${db}.${table}`;
    return this.include.some((p) => p.name.test(name)) && !this.exclude.some((p) => p.name.test(name));
  }

  /** Whether some table of the database can be captured (so that its CREATE/DROP DATABASE matters). */
  mayCapture(db: string): boolean {
    if (SYSTEM_DATABASES.has(db.toLowerCase())) return false;
    return this.include.some((p) => p.db.test(db)) && !this.exclude.some((p) => p.allTables && p.db.test(db));
  }
}
