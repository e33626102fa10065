import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName } from '../support/stack.ts';

/**
 * Issue 11: DDL that is not a column change reaches the MariaDB and the TiDB target in order with
 * the rows around it: RENAME TABLE (the target table is renamed, with no row lost or doubled
 * across the switch of topics), the table swaps of gh-ost and pt-online-schema-change (done by
 * hand here: the targets' table gets the tool's new column with the source's values, and no
 * tool table), and TRUNCATE/DROP PARTITION on a target partitioned like the source.
 */
const s = stack();
const sources = [
  { name: 'MariaDB', url: s.sourceUrl, partitions: 1 },
  // Two partitions per topic: renames and partition statements wait for every partition's marker.
  { name: 'MySQL 8', url: s.mysql8Url, partitions: 2 },
];

/**
 * Each source's pipeline (own databases, prefix, capture and sinks) runs next to the other's:
 * their waits overlap. Within one, the steps stay in order (each builds on the last).
 */
const inOrder = { concurrent: false };

const PARTITIONED = `(id INT PRIMARY KEY, v VARCHAR(10)) PARTITION BY RANGE (id)
  (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN (20), PARTITION p2 VALUES LESS THAN MAXVALUE)`;

async function tablesOf(conn: mysql.Connection, database: string): Promise<string[]> {
  const [rows] = await conn.query(
    'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [database],
  );
  return (rows as { t: string }[]).map((r) => r.t);
}

describe.concurrent.each(sources)('DDL markers from $name (topics of $partitions partitions)', ({ url, partitions }) => {
  const db = uniqueName('iso_ddlm');
  const other = uniqueName('iso_ddlm2');
  const prefix = uniqueName('dm');
  const services: ServiceProcess[] = [];
  let source: mysql.Connection;
  const targets: { name: string; conn: mysql.Connection; sink: ServiceProcess }[] = [];
  const q = (t: string, d = db) => `\`${d}\`.\`${t}\``;

  /** Every target converges to the source's rows of `table` (all `columns`). */
  async function expectSame(table: string, columns: string[], database = db): Promise<void> {
    await Promise.all(
      targets.map(async (t) => {
        const { source: want, target: got } = await expectConverged({ source, target: t.conn, db: database, table, columns });
        expect(got, `${t.name} ${database}.${table}\n${t.sink.tail(20)}`).toEqual(want);
      }),
    );
  }

  beforeAll(async () => {
    if (!url) throw new Error('MYSQL8_URL is not set: run make up (it starts MySQL 8 as a second source)');
    source = await connect(url);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE DATABASE \`${other}\``);
    // Tables that hold rows before the capture starts (the snapshot brings them).
    await source.query(`CREATE TABLE ${q('t')} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`INSERT INTO ${q('t')} VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')`);
    await source.query(`CREATE TABLE ${q('g')} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`INSERT INTO ${q('g')} VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await source.query(`CREATE TABLE ${q('p')} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`INSERT INTO ${q('p')} VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await source.query(`CREATE TABLE ${q('pt')} ${PARTITIONED}`);
    await source.query(`INSERT INTO ${q('pt')} VALUES (1, 'a'), (5, 'b'), (11, 'c'), (15, 'd'), (21, 'e'), (25, 'f')`);
    for (const t of s.targets) {
      const conn = await connect(t.url);
      // The target's table partitioned as the source's (until sinks create tables as copies).
      await conn.query(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
      await conn.query(`CREATE TABLE ${q('pt')} ${PARTITIONED}`);
      const kind = t.name === 'tidb' ? 'tidb' : 'mariadb';
      // parallelism 1: a partition held at a rename must not stop the sink reading the other topic.
      const sink = ownSink(s, { name: `${prefix}-${t.name}`, prefix, targetUrl: t.url, kind, extra: { parallelism: 1 } });
      targets.push({ name: t.name, conn, sink });
    }
    const capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      sourceUrl: url,
      include: [`${db}.*`, `${other}.*`],
      extra: { topics: { partitions } },
    });
    services.push(capture);
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);
    for (const t of targets) {
      services.push(t.sink);
      await t.sink.start();
    }
    await expectSame('t', ['id', 'v']);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    for (const d of [db, other]) await source?.query(`DROP DATABASE IF EXISTS \`${d}\``);
    await source?.end();
    for (const t of targets) {
      for (const d of [db, other]) await t.conn.query(`DROP DATABASE IF EXISTS \`${d}\``);
      await t.conn.query('DELETE FROM _sluice.checkpoints WHERE sink LIKE ?', [`${prefix}%`]).catch(() => undefined);
      await t.conn.end();
    }
  });

  it('RENAME TABLE renames the target table: rows written before and right after it, none lost or doubled', inOrder, async () => {
    await source.query(`UPDATE ${q('t')} SET v = 'a1' WHERE id = 1`);
    await source.query(`INSERT INTO ${q('t')} VALUES (6, 'f')`);
    await source.query(`RENAME TABLE ${q('t')} TO ${q('t2')}`);
    await source.query(`INSERT INTO ${q('t2')} VALUES (7, 'g')`);
    await source.query(`UPDATE ${q('t2')} SET v = 'b1' WHERE id = 2`);
    await source.query(`DELETE FROM ${q('t2')} WHERE id = 3`);
    await expectSame('t2', ['id', 'v']);
    // ALTER TABLE ... RENAME, into another database, then a multi-table RENAME that swaps two names.
    await source.query(`ALTER TABLE ${q('t2')} RENAME TO ${q('t3', other)}`);
    await source.query(`INSERT INTO ${q('t3', other)} VALUES (8, 'h')`);
    await source.query(`CREATE TABLE ${q('u', other)} (id INT PRIMARY KEY, w INT)`);
    await source.query(`INSERT INTO ${q('u', other)} VALUES (1, 100)`);
    await source.query(
      `RENAME TABLE ${q('t3', other)} TO ${q('tmp', other)}, ${q('u', other)} TO ${q('t3', other)}, ${q('tmp', other)} TO ${q('u', other)}`,
    );
    await source.query(`INSERT INTO ${q('u', other)} VALUES (9, 'i')`);
    await source.query(`INSERT INTO ${q('t3', other)} VALUES (2, 200)`);
    await expectSame('u', ['id', 'v'], other);
    await expectSame('t3', ['id', 'w'], other);
    for (const t of targets) {
      expect(await tablesOf(t.conn, other), t.name).toEqual(['t3', 'u']);
      expect(
        (await tablesOf(t.conn, db)).filter((n) => n.startsWith('t')),
        t.name,
      ).toEqual([]);
    }
  });

  it(
    'a gh-ost-style swap: the target table gets the new column with the source values, and no ghost table',
    inOrder,
    async () => {
      const g = q('g');
      await source.query(`CREATE TABLE ${q('_g_ghc')} (id BIGINT AUTO_INCREMENT PRIMARY KEY, hint VARCHAR(64), value TEXT)`);
      await source.query(`INSERT INTO ${q('_g_ghc')} (hint, value) VALUES ('state', 'migrating')`);
      await source.query(`CREATE TABLE ${q('_g_gho')} LIKE ${g}`);
      // The tool's ALTER; a NOT NULL column without a default in a shadow table must stop nothing.
      await source.query(`ALTER TABLE ${q('_g_gho')} ADD COLUMN c INT NOT NULL DEFAULT 7, ADD COLUMN n INT NOT NULL`);
      await source.query(`INSERT INTO ${q('_g_gho')} (id, v, n) SELECT id, v, id * 10 FROM ${g}`);
      // Writes to g while the tool copies: captured as g's rows in the old layout; the tool applies them to the ghost.
      await source.query(`INSERT INTO ${g} VALUES (4, 'd')`);
      await source.query(`REPLACE INTO ${q('_g_gho')} (id, v, n) VALUES (4, 'd', 40)`);
      await source.query(`UPDATE ${g} SET v = 'b1' WHERE id = 2`);
      await source.query(`UPDATE ${q('_g_gho')} SET v = 'b1' WHERE id = 2`);
      await source.query(`RENAME TABLE ${g} TO ${q('_g_del')}, ${q('_g_gho')} TO ${g}`);
      await source.query(`INSERT INTO ${g} (id, v, c, n) VALUES (5, 'e', 8, 50)`);
      await source.query(`DROP TABLE ${q('_g_del')}, ${q('_g_ghc')}`);
      await expectSame('g', ['id', 'v', 'c']);
      // n: the ghost's values of the rows the tool copied are its own (not in any row event).
      const [[{ n }]] = (await source.query(`SELECT SUM(n) AS n FROM ${g}`)) as unknown as [[{ n: string }]];
      expect(Number(n)).toBe(150);
      for (const t of targets) {
        expect(
          (await tablesOf(t.conn, db)).filter((x) => x.includes('_g_')),
          t.name,
        ).toEqual([]);
      }
    },
  );

  it('a pt-online-schema-change-style swap with triggers', inOrder, async () => {
    const p = q('p');
    const pn = q('_p_new');
    await source.query(`CREATE TABLE ${pn} LIKE ${p}`);
    await source.query(`ALTER TABLE ${pn} ADD COLUMN c VARCHAR(5) NOT NULL DEFAULT 'x'`);
    await source.query(
      `CREATE TRIGGER \`${db}\`.pt_osc_ins AFTER INSERT ON ${p} FOR EACH ROW REPLACE INTO ${pn} (id, v) VALUES (NEW.id, NEW.v)`,
    );
    await source.query(
      `CREATE TRIGGER \`${db}\`.pt_osc_upd AFTER UPDATE ON ${p} FOR EACH ROW REPLACE INTO ${pn} (id, v) VALUES (NEW.id, NEW.v)`,
    );
    await source.query(
      `CREATE TRIGGER \`${db}\`.pt_osc_del AFTER DELETE ON ${p} FOR EACH ROW DELETE IGNORE FROM ${pn} WHERE id = OLD.id`,
    );
    await source.query(`INSERT LOW_PRIORITY IGNORE INTO ${pn} (id, v) SELECT id, v FROM ${p} LOCK IN SHARE MODE`);
    await source.query(`INSERT INTO ${p} VALUES (4, 'd')`);
    await source.query(`UPDATE ${p} SET v = 'a1' WHERE id = 1`);
    await source.query(`DELETE FROM ${p} WHERE id = 3`);
    await source.query(`RENAME TABLE ${p} TO ${q('_p_old')}, ${pn} TO ${p}`);
    await source.query(`DROP TABLE IF EXISTS ${q('_p_old')}`);
    await source.query(`INSERT INTO ${p} VALUES (6, 'f', 'y')`);
    await expectSame('p', ['id', 'v', 'c']);
    for (const t of targets) {
      expect(
        (await tablesOf(t.conn, db)).filter((x) => x.includes('_p_')),
        t.name,
      ).toEqual([]);
    }
  });

  it(
    'TRUNCATE PARTITION and DROP PARTITION remove the same rows from a target partitioned like the source',
    inOrder,
    async () => {
      const pt = q('pt');
      await expectSame('pt', ['id', 'v']);
      await source.query(`INSERT INTO ${pt} VALUES (2, 'g')`);
      await source.query(`ALTER TABLE ${pt} TRUNCATE PARTITION p0`);
      // Rows after it on every topic partition: none of them may be removed by a marker that comes later.
      await source.query(`INSERT INTO ${pt} VALUES (3, 'h'), (4, 'k'), (6, 'l'), (7, 'm'), (8, 'n')`);
      await source.query(`ALTER TABLE ${pt} DROP PARTITION p1`);
      await source.query(`INSERT INTO ${pt} VALUES (12, 'i'), (30, 'j')`);
      await expectSame('pt', ['id', 'v']);
    },
  );
});

describe.concurrent('a partition statement the target cannot take', () => {
  const db = uniqueName('iso_ddlmp');
  const prefix = uniqueName('dmp');
  const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];
  const services: ServiceProcess[] = [];
  let source: mysql.Connection | undefined;
  let target: mysql.Connection | undefined;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    await target?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await target?.query('DELETE FROM _sluice.checkpoints WHERE sink LIKE ?', [`${prefix}%`]).catch(() => undefined);
    // The refusal is recorded for `sluice ddl list` (marker-decisions.ts): this test's goes with it.
    await target?.query('DELETE FROM _sluice.ddl_decisions WHERE sink LIKE ?', [`${prefix}%`]).catch(() => undefined);
    await target?.end();
  });

  it(
    'stops the sink with PARTITION_DDL_UNSUPPORTED naming the statement and the table, rows before it applied',
    inOrder,
    async () => {
      if (!mariadb) throw new Error('no MariaDB target in the stack');
      source = await connect(s.sourceUrl);
      target = await connect(mariadb.url);
      await source.query(`CREATE DATABASE \`${db}\``);
      // EXCHANGE PARTITION moves rows between two tables with no row events; the sink moves them
      // by the source partition's definition, which KEY partitioning does not give in SQL.
      await source.query(`CREATE TABLE \`${db}\`.pt (id INT PRIMARY KEY, v VARCHAR(10)) PARTITION BY KEY (id) PARTITIONS 2`);
      await source.query(`CREATE TABLE \`${db}\`.px (id INT PRIMARY KEY, v VARCHAR(10))`);
      await source.query(`INSERT INTO \`${db}\`.pt VALUES (1, 'a'), (11, 'b')`);
      const capture = ownCapture(s, { name: `capture-${prefix}`, prefix, include: [`${db}.*`] });
      const sink = ownSink(s, { name: `${prefix}-sink`, prefix, targetUrl: mariadb.url });
      services.push(capture, sink);
      await capture.start();
      await capture.waitLog(/"msg":"capture streaming"/);
      await sink.start();
      await source.query(`INSERT INTO \`${db}\`.pt VALUES (2, 'c')`);
      await source.query(`ALTER TABLE \`${db}\`.pt EXCHANGE PARTITION p0 WITH TABLE \`${db}\`.px`);
      expect(await sink.waitExit()).not.toBe(0);
      expect(sink.log()).toMatch(
        /"code":"PARTITION_DDL_UNSUPPORTED".*cannot be applied to target table iso_ddlmp_\w+\.pt \(change at [^)]*DDL [0-9a-f]{16}\): ALTER TABLE .*EXCHANGE PARTITION p0 WITH TABLE .*: the rows of the source's partition p0 cannot be told exactly \(KEY partitioning/,
      );
      const [rows] = await target.query(`SELECT id FROM \`${db}\`.pt ORDER BY id`);
      expect(rows).toEqual([{ id: 1 }, { id: 2 }, { id: 11 }]);
    },
  );
});
