import { createHash } from 'node:crypto';
import { qualified, quoteIdent, type SqlParam } from '@sluice/core';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { keyString, type TablePlan } from '../plan/batch-plan.ts';
import { dropStale } from '../plan/stale-filter.ts';

/**
 * The stale-write guard's memory in the target: `_sluice.row_versions` holds, per table and key,
 * the source version last applied (also for deleted keys), `_sluice.table_versions` the version
 * of the last TRUNCATE. Read with FOR UPDATE and written in the batch's own transaction, so the
 * decision and the write are atomic. A side table, not a column, so user tables stay as the
 * source has them.
 */
/**
 * Names compared as the source compares them: any character a name can hold, and `T` apart from
 * `t` (a server default such as latin1 or utf8mb4_general_ci would merge them).
 */
export const EXACT_NAMES = 'DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

export const guardTablesSql = (schema: string): string[] => [
  `CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`,
  `CREATE TABLE IF NOT EXISTS ${qualified(schema, 'row_versions')} (
  db VARCHAR(64) NOT NULL, tbl VARCHAR(64) NOT NULL, key_hash BINARY(20) NOT NULL,
  version DECIMAL(38,0) NOT NULL, PRIMARY KEY (db, tbl, key_hash)) ${EXACT_NAMES}`,
  `CREATE TABLE IF NOT EXISTS ${qualified(schema, 'table_versions')} (
  db VARCHAR(64) NOT NULL, tbl VARCHAR(64) NOT NULL, truncated_at DECIMAL(38,0) NOT NULL, PRIMARY KEY (db, tbl)) ${EXACT_NAMES}`,
];

const hash = (key: SqlParam[]): Buffer => createHash('sha1').update(keyString(key)).digest();
const CHUNK = 500;

export async function guardPlan(
  conn: PoolConnection,
  schema: string,
  plan: TablePlan,
): Promise<{ plan: TablePlan; dropped: number }> {
  const t = plan.table;
  const keyIdx = t.key.map((k) => t.columns.findIndex((c) => c.name === k.name));
  const keyOfRow = (row: SqlParam[]) => keyIdx.map((i) => row[i] as SqlParam);
  const keys = [...plan.upserts.map(keyOfRow), ...plan.deletes];
  const existing = new Map<string, bigint>();
  const byHash = new Map(keys.map((k) => [hash(k).toString('hex'), keyString(k)]));
  const hashes = [...byHash.keys()];
  for (let i = 0; i < hashes.length; i += CHUNK) {
    const part = hashes.slice(i, i + CHUNK);
    const [rows] = await conn.execute<RowDataPacket[]>(
      `SELECT HEX(key_hash) AS h, version FROM ${qualified(schema, 'row_versions')} WHERE db = ? AND tbl = ? AND key_hash IN (${part.map(() => 'UNHEX(?)').join(', ')}) FOR UPDATE`,
      [t.database, t.table, ...part],
    );
    for (const r of rows) existing.set(byHash.get(String(r.h).toLowerCase()) as string, BigInt(String(r.version)));
  }
  return dropStale(plan, keyOfRow, existing, await truncatedAt(conn, schema, t, true));
}

/** The version of the table's last TRUNCATE or DROP, if any; `lock` reads it FOR UPDATE (inside the batch's transaction). */
export async function truncatedAt(
  q: Pick<PoolConnection, 'execute'>,
  schema: string,
  t: { database: string; table: string },
  lock: boolean,
): Promise<bigint | undefined> {
  const [tv] = await q.execute<RowDataPacket[]>(
    `SELECT truncated_at FROM ${qualified(schema, 'table_versions')} WHERE db = ? AND tbl = ?${lock ? ' FOR UPDATE' : ''}`,
    [t.database, t.table],
  );
  return tv[0] ? BigInt(String(tv[0].truncated_at)) : undefined;
}

/** Records the versions a guarded plan applied (after its statements, same transaction). */
export async function recordVersions(conn: PoolConnection, schema: string, plan: TablePlan): Promise<void> {
  const t = plan.table;
  const keyIdx = t.key.map((k) => t.columns.findIndex((c) => c.name === k.name));
  const entries: [Buffer, string][] = [
    ...plan.upserts.map((row, i): [Buffer, string] => [
      hash(keyIdx.map((j) => row[j] as SqlParam)),
      plan.upsertVersions?.[i] ?? '0',
    ]),
    ...plan.deletes.map((key, i): [Buffer, string] => [hash(key), plan.deleteVersions?.[i] ?? '0']),
  ];
  for (let i = 0; i < entries.length; i += CHUNK) {
    const part = entries.slice(i, i + CHUNK);
    await conn.execute(
      `INSERT INTO ${qualified(schema, 'row_versions')} (db, tbl, key_hash, version) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')} ` +
        'ON DUPLICATE KEY UPDATE version = GREATEST(version, VALUES(version))',
      part.flatMap(([h, v]) => [t.database, t.table, h, v]),
    );
  }
  if (plan.truncate && plan.truncateVersion) {
    await conn.execute(
      `INSERT INTO ${qualified(schema, 'table_versions')} (db, tbl, truncated_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE truncated_at = GREATEST(truncated_at, VALUES(truncated_at))`,
      [t.database, t.table, plan.truncateVersion],
    );
  }
}
