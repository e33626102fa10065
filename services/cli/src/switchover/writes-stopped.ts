import type { Session } from '../shared/session.ts';

/**
 * Whether a server refuses writes of applications now: `read_only` on MySQL and MariaDB (users
 * with SUPER or READ_ONLY ADMIN, such as the reverse sink's, still write), TiDB's
 * `tidb_restricted_read_only` or `tidb_super_read_only`. Undefined when it cannot be told.
 */
export async function refusesWrites(s: Session): Promise<boolean | undefined> {
  const on = (v: unknown) => v !== null && v !== undefined && ['1', 'ON'].includes(String(v).toUpperCase());
  if (s.flavor === 'tidb') {
    const [r] = await s.rows('SELECT @@global.tidb_restricted_read_only, @@global.tidb_super_read_only').catch(() => [[]]);
    return r?.length ? on(r[0]) || on(r[1]) : undefined;
  }
  const [r] = await s.rows('SELECT @@global.read_only');
  return r ? on(r[0]) : undefined;
}
