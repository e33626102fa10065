import type { TableName } from '../event/query-statement.ts';

/**
 * The temporary tables each source session (binlog thread id) created, as far as the binlog
 * tells: with binlog_format STATEMENT the server logs CREATE/DROP TEMPORARY TABLE and the
 * statements that use them (and, when the session ends, a DROP TEMPORARY TABLE IF EXISTS). A
 * temporary table may carry the name of a real table, which it hides from its session: a
 * statement of that session on that name is about the temporary table and is not replicated.
 * A session that created its table before the capture's start position is not known here; its
 * statements count as statements on the real table (the safe side). Bounded: the oldest
 * sessions are forgotten past `maxSessions`.
 */
export class TemporaryTables {
  private readonly sessions = new Map<number, Set<string>>();
  private readonly maxSessions: number;

  constructor(maxSessions = 10_000) {
    this.maxSessions = maxSessions;
  }

  created(thread: number, tables: TableName[]): void {
    let s = this.sessions.get(thread);
    if (!s) {
      s = new Set();
      this.sessions.set(thread, s);
      if (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value as number);
    }
    for (const t of tables) s.add(key(t));
  }

  dropped(thread: number, tables: TableName[]): void {
    const s = this.sessions.get(thread);
    if (!s) return;
    for (const t of tables) s.delete(key(t));
    if (s.size === 0) this.sessions.delete(thread);
  }

  has(thread: number, t: TableName): boolean {
    return this.sessions.get(thread)?.has(key(t)) ?? false;
  }

  /** Whether every one of `tables` (at least one) is a temporary table of the session. */
  all(thread: number, tables: TableName[]): boolean {
    return tables.length > 0 && tables.every((t) => this.has(thread, t));
  }
}

const key = (t: TableName): string => `${t.database}\u0000${t.table}`;
