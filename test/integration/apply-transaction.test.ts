import { createLogger } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginApplySql } from '../../services/sink/src/apply/apply-transaction.ts';
import { classifyTargetError } from '../../services/sink/src/apply/target-errors.ts';
import { TargetWriter } from '../../services/sink/src/apply/target-writer.ts';
import { targetColumn as col } from '../../services/sink/src/decode/target-column-fixture.ts';
import type { TargetTable } from '../../services/sink/src/decode/target-table.ts';
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

  it("the sink's writer on TiDB: after a write conflict it locks as it writes until a transaction commits", async () => {
    const url = (tidb as { url: string }).url;
    const table: TargetTable = {
      database: db,
      table: 'w',
      columns: [col('id'), col('v')],
      key: [col('id')],
      keyIndexes: [0],
      id: `${db}.w`,
    };
    const plan = (v: number) => [{ table, truncate: false, upserts: [[1, v]], deletes: [] }];
    const writer = new TargetWriter({ url, poolSize: 2, log: createLogger('test', 'warn'), checkpointSchema: `${db}_cp` });
    const other = await open(url);
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** The writer applies v while another transaction holds the row's lock and commits 1.5 s later. */
    const againstLock = async (v: number) => {
      await other.query('BEGIN PESSIMISTIC');
      // A value of its own each time: an UPDATE that changes nothing writes nothing to conflict with.
      await other.query(`UPDATE \`${db}\`.w SET v = ? WHERE id = 1`, [100 + v]);
      const applied = writer.apply(plan(v)).then(
        () => undefined,
        (e: unknown) => e,
      );
      await pause(1_500);
      await other.query('COMMIT');
      return applied;
    };
    try {
      await writer.apply(plan(1)); // creates the table; optimistic, nothing in the way
      // Optimistic: the writer neither waits nor locks, and its COMMIT meets the newer write.
      const conflict = await againstLock(2);
      expect((conflict as { code?: string })?.code).toBe('TARGET_TRANSIENT');
      expect(String(conflict)).toMatch(/9007/);
      // The retry locks as it writes: it waits for the other transaction, then commits after it.
      expect(await againstLock(3)).toBeUndefined();
      const [rows] = await other.query(`SELECT v FROM \`${db}\`.w WHERE id = 1`);
      expect(rows).toEqual([{ v: 3 }]);
      // Committed: optimistic again.
      expect(String(await againstLock(4))).toMatch(/9007/);
    } finally {
      await writer.close();
      await other.query(`DROP DATABASE IF EXISTS \`${db}_cp\``).catch(() => undefined);
    }
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
