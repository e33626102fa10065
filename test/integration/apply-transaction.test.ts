import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginApplySql } from '../../services/sink/src/apply/apply-transaction.ts';
import { classifyTargetError } from '../../services/sink/src/apply/target-errors.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';

/**
 * The statement that begins the sink's apply transaction, on the real targets: on TiDB it is
 * optimistic (no key locks while it runs; a conflicting commit meanwhile fails it at COMMIT
 * with a write conflict the sink retries), with the stale-write guard pessimistic (a conflicting
 * writer waits for its lock); on MariaDB a plain transaction.
 */
const s = stack();
const tidb = s.targets.find((t) => t.name === 'tidb');
const mariadb = s.targets.find((t) => t.name !== 'tidb');

describe('apply transaction', () => {
  const db = uniqueName('iso_applytxn');
  const conns: mysql.Connection[] = [];
  const open = async (url: string) => {
    const c = await connect(url);
    conns.push(c);
    return c;
  };

  beforeAll(async () => {
    for (const t of [tidb, mariadb]) {
      if (!t) throw new Error('the stack has no TiDB or no MariaDB target');
      const c = await open(t.url);
      await c.query(`CREATE DATABASE \`${db}\``);
      await c.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v INT NOT NULL)`);
      await c.query(`INSERT INTO \`${db}\`.t VALUES (1, 0)`);
    }
  });

  afterAll(async () => {
    for (const t of [tidb, mariadb]) if (t) await (await open(t.url)).query(`DROP DATABASE IF EXISTS \`${db}\``);
    for (const c of conns) await c.end().catch(() => undefined);
  });

  it('on TiDB is optimistic: another writer is not blocked, and COMMIT fails with a retriable write conflict', async () => {
    const sink = await open((tidb as { url: string }).url);
    const other = await open((tidb as { url: string }).url);
    await sink.query(beginApplySql(false));
    await sink.query(`INSERT INTO \`${db}\`.t VALUES (1, 1) ON DUPLICATE KEY UPDATE v = VALUES(v)`);
    // A pessimistic transaction would hold the key's lock now: this would wait (and fail with 9004).
    await other.query({ sql: `UPDATE \`${db}\`.t SET v = 2 WHERE id = 1`, timeout: 5_000 });
    const err = await sink.query('COMMIT').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { errno?: number })?.errno).toBe(9007);
    expect(classifyTargetError(err).retriable).toBe(true);
    const [rows] = await other.query(`SELECT v FROM \`${db}\`.t WHERE id = 1`);
    expect(rows).toEqual([{ v: 2 }]);
  });

  it('on TiDB with the stale-write guard is pessimistic: the other writer waits for the lock', async () => {
    const sink = await open((tidb as { url: string }).url);
    const other = await open((tidb as { url: string }).url);
    await other.query('SET SESSION innodb_lock_wait_timeout = 1');
    await sink.query(beginApplySql(true));
    await sink.query(`INSERT INTO \`${db}\`.t VALUES (1, 3) ON DUPLICATE KEY UPDATE v = VALUES(v)`);
    // A locking writer waits for the sink's key lock (an optimistic sink transaction holds none).
    await other.query('BEGIN PESSIMISTIC');
    const err = await other.query(`UPDATE \`${db}\`.t SET v = 4 WHERE id = 1`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { errno?: number })?.errno).toBe(1205);
    await other.query('ROLLBACK');
    await sink.query('COMMIT');
    const [rows] = await other.query(`SELECT v FROM \`${db}\`.t WHERE id = 1`);
    expect(rows).toEqual([{ v: 3 }]);
  });

  it('on MariaDB is a plain transaction: ROLLBACK undoes it', async () => {
    const sink = await open((mariadb as { url: string }).url);
    await sink.query(beginApplySql(false));
    await sink.query(`INSERT INTO \`${db}\`.t VALUES (1, 5) ON DUPLICATE KEY UPDATE v = VALUES(v)`);
    await sink.query('ROLLBACK');
    const [rows] = await sink.query(`SELECT v FROM \`${db}\`.t WHERE id = 1`);
    expect(rows).toEqual([{ v: 0 }]);
  });
});
