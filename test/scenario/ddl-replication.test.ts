import type mysql from 'mysql2/promise';
import { afterAll, describe, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { cleanUpPipeline, ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * Issue 11: a long mixed sequence of DDL and DML, from MariaDB and from MySQL 8, into the MariaDB
 * and the TiDB target (sink ddl: apply), on tables that already hold rows when the capture starts:
 * column changes with defaults, NULL <-> NOT NULL, indexes, table renames, a gh-ost-style and a
 * pt-osc-style table swap, partition truncation and drop. It ends with `sluice verify` equal for
 * each target and each target table carrying the source's columns, defaults, keys and indexes;
 * no shadow table and no table under an old name is left in a target.
 */
const s = stack();
const sources = [
  { name: 'MariaDB 10.11', url: s.sourceUrl, short: 'maria', backlog: false },
  { name: 'MySQL 8', url: s.mysql8Url, short: 'my8', backlog: false },
  // The whole sequence read as a backlog: the capture is stopped while it runs, so the source's
  // table of now is ahead of every DDL it reads (as when a capture falls behind under load).
  { name: 'MariaDB 10.11, read as a backlog', url: s.sourceUrl, short: 'mariab', backlog: true },
  { name: 'MySQL 8, read as a backlog', url: s.mysql8Url, short: 'my8b', backlog: true },
];

/** The tables every source starts with, holding rows before the capture starts. */
const setup = (d: string): string[] => [
  `CREATE TABLE ${d}.t (id INT AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL DEFAULT 0, b VARCHAR(40) NULL,
     c DATETIME NULL DEFAULT '2020-01-01 00:00:00', note VARCHAR(20) NULL COMMENT 'free text',
     KEY ix_a (a), UNIQUE KEY uq_b (b), KEY ix_note (note(8))) COMMENT 'orders'`,
  `INSERT INTO ${d}.t (a, b, note) VALUES (1, 'b1', 'n1'), (2, NULL, 'n2'), (3, 'b3', NULL), (4, NULL, 'n4')`,
  `CREATE TABLE ${d}.r (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL, KEY ix_v (v))`,
  `INSERT INTO ${d}.r VALUES (1, 'r1'), (2, 'r2'), (3, 'r3')`,
  `CREATE TABLE ${d}.g (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)`,
  `INSERT INTO ${d}.g VALUES (1, 'g1'), (2, 'g2'), (3, 'g3')`,
  `CREATE TABLE ${d}.o (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)`,
  `INSERT INTO ${d}.o VALUES (1, 'o1'), (2, 'o2'), (3, 'o3')`,
  `CREATE TABLE ${d}.cr (id INT PRIMARY KEY, a VARCHAR(20) NOT NULL, v INT)`,
  `INSERT INTO ${d}.cr VALUES (1, 'a1', 1), (2, 'a2', 2)`,
  `CREATE TABLE ${d}.p (id INT NOT NULL, k INT NOT NULL, v VARCHAR(10), PRIMARY KEY (id, k))
     PARTITION BY RANGE (k) (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN (20),
     PARTITION p2 VALUES LESS THAN MAXVALUE)`,
  `INSERT INTO ${d}.p VALUES (1, 1, 'p0a'), (2, 5, 'p0b'), (3, 11, 'p1a'), (4, 15, 'p1b'), (5, 25, 'p2a')`,
];

/** The sequence, in source order; each step's DML runs right after its DDL. */
const steps = (d: string): string[] => [
  // Columns: defaults reach the old rows; NULL -> NOT NULL after filling NULLs; rename; widen.
  `ALTER TABLE ${d}.t ADD COLUMN n INT DEFAULT 5`,
  // Right after, with no row between: the rows that were there keep 5, new rows get 6.
  `ALTER TABLE ${d}.t ALTER COLUMN n SET DEFAULT 6`,
  `INSERT INTO ${d}.t (a, b) VALUES (5, 'b5')`,
  `UPDATE ${d}.t SET b = CONCAT('b', id) WHERE b IS NULL`,
  `ALTER TABLE ${d}.t MODIFY b VARCHAR(60) NOT NULL DEFAULT 'none'`,
  `INSERT INTO ${d}.t (a) VALUES (6)`,
  `ALTER TABLE ${d}.t RENAME COLUMN n TO m, MODIFY a BIGINT NOT NULL DEFAULT 1`,
  `ALTER TABLE ${d}.t MODIFY c DATETIME NOT NULL DEFAULT '2021-02-03 04:05:06'`,
  `ALTER TABLE ${d}.t MODIFY c DATETIME NULL`,
  `INSERT INTO ${d}.t (a, b, m) VALUES (7, 'b7', 70)`,
  // A column renamed three times, with no row between the first two; the old rows keep their values.
  `ALTER TABLE ${d}.cr RENAME COLUMN a TO b`,
  `ALTER TABLE ${d}.cr CHANGE b c VARCHAR(30) NOT NULL DEFAULT 'cc'`,
  `INSERT INTO ${d}.cr (id, c, v) VALUES (3, 'c3', 3)`,
  `UPDATE ${d}.cr SET v = 10 WHERE id = 1`,
  `ALTER TABLE ${d}.cr RENAME COLUMN c TO d`,
  `INSERT INTO ${d}.cr (id, d, v) VALUES (4, 'd4', 4)`,
  `ALTER TABLE ${d}.cr ADD COLUMN z INT DEFAULT 9`,
  `INSERT INTO ${d}.cr (id, d, v, z) VALUES (5, 'd5', 5, 50)`,
  // Indexes: a composite one, one dropped, a unique one added, one renamed.
  `CREATE INDEX ix_am ON ${d}.t (a, m)`,
  `DROP INDEX ix_a ON ${d}.t`,
  `ALTER TABLE ${d}.t ADD UNIQUE KEY uq_am (a, m, id)`,
  `ALTER TABLE ${d}.t RENAME INDEX ix_note TO ix_note_prefix`,
  `UPDATE ${d}.t SET note = 'indexed' WHERE id = 1`,
  `ALTER TABLE ${d}.t DROP COLUMN note`,
  `INSERT INTO ${d}.t (a, b, m) VALUES (8, 'b8', 80)`,
  // Table renames: RENAME TABLE, then ALTER TABLE ... RENAME, with writes on both sides.
  `UPDATE ${d}.r SET v = 'r1 before' WHERE id = 1`,
  `RENAME TABLE ${d}.r TO ${d}.r2`,
  `UPDATE ${d}.r2 SET v = 'r1 after' WHERE id = 1`,
  `INSERT INTO ${d}.r2 VALUES (4, 'r4')`,
  `ALTER TABLE ${d}.r2 RENAME TO ${d}.r3`,
  `DELETE FROM ${d}.r3 WHERE id = 2`,
  `INSERT INTO ${d}.r3 VALUES (5, 'r5')`,
  // gh-ost: ghost and changelog tables, a copy, writes during the copy, the cut-over swap.
  `CREATE TABLE ${d}._g_ghc (id BIGINT AUTO_INCREMENT PRIMARY KEY, hint VARCHAR(64) NOT NULL, value TEXT NOT NULL)`,
  `CREATE TABLE ${d}._g_gho LIKE ${d}.g`,
  `ALTER TABLE ${d}._g_gho ADD COLUMN w INT NOT NULL DEFAULT 42, ADD KEY ix_w (w)`,
  `INSERT INTO ${d}._g_ghc (hint, value) VALUES ('state', 'migrating')`,
  `INSERT INTO ${d}._g_gho (id, v) SELECT id, v FROM ${d}.g`,
  `UPDATE ${d}.g SET v = 'g2 live' WHERE id = 2`,
  `UPDATE ${d}._g_gho SET v = 'g2 live' WHERE id = 2`,
  `RENAME TABLE ${d}.g TO ${d}._g_del, ${d}._g_gho TO ${d}.g`,
  `DROP TABLE ${d}._g_del, ${d}._g_ghc`,
  `INSERT INTO ${d}.g (id, v, w) VALUES (4, 'g4', 7)`,
  // pt-online-schema-change: a new table, its triggers, a copy, the swap, the old table dropped.
  `CREATE TABLE ${d}._o_new LIKE ${d}.o`,
  `ALTER TABLE ${d}._o_new ADD COLUMN z VARCHAR(5) NOT NULL DEFAULT 'zz'`,
  `CREATE TRIGGER ${d}.pt_osc_o_ins AFTER INSERT ON ${d}.o FOR EACH ROW REPLACE INTO ${d}._o_new (id, v) VALUES (NEW.id, NEW.v)`,
  `CREATE TRIGGER ${d}.pt_osc_o_upd AFTER UPDATE ON ${d}.o FOR EACH ROW REPLACE INTO ${d}._o_new (id, v) VALUES (NEW.id, NEW.v)`,
  `CREATE TRIGGER ${d}.pt_osc_o_del AFTER DELETE ON ${d}.o FOR EACH ROW DELETE IGNORE FROM ${d}._o_new WHERE id = OLD.id`,
  `INSERT LOW_PRIORITY IGNORE INTO ${d}._o_new (id, v) SELECT id, v FROM ${d}.o LOCK IN SHARE MODE`,
  `UPDATE ${d}.o SET v = 'o1 live' WHERE id = 1`,
  `DELETE FROM ${d}.o WHERE id = 3`,
  `INSERT INTO ${d}.o VALUES (4, 'o4')`,
  `RENAME TABLE ${d}.o TO ${d}._o_old, ${d}._o_new TO ${d}.o`,
  `DROP TABLE IF EXISTS ${d}._o_old`,
  `INSERT INTO ${d}.o (id, v, z) VALUES (5, 'o5', 'z5')`,
  // Partitions: rows leave with TRUNCATE PARTITION and DROP PARTITION (no row events).
  `ALTER TABLE ${d}.p TRUNCATE PARTITION p0`,
  `INSERT INTO ${d}.p VALUES (6, 2, 'p0 new')`,
  `ALTER TABLE ${d}.p DROP PARTITION p1`,
  `UPDATE ${d}.p SET v = 'p2 upd' WHERE id = 5`,
  // Last: a row in every table, so that a target that has them all has applied everything before
  // (tables are applied in parallel: one table's last row says nothing of another's DDL).
  `INSERT INTO ${d}.cr (id, d, v) VALUES (99, 'last', 99)`,
  `INSERT INTO ${d}.g (id, v) VALUES (99, 'last')`,
  `INSERT INTO ${d}.o (id, v) VALUES (99, 'last')`,
  `INSERT INTO ${d}.p VALUES (99, 99, 'last')`,
  `INSERT INTO ${d}.r3 VALUES (99, 'last')`,
  `INSERT INTO ${d}.t (id, a, b, m) VALUES (99, 9, 'b9', 90)`,
];

const FINAL_TABLES = ['cr', 'g', 'o', 'p', 'r3', 't'];

interface Definition {
  columns: unknown[];
  indexes: unknown[];
}

/** Columns (name, type without display widths, nullability, default) and indexes, as comparable rows. */
async function definitionOf(conn: mysql.Connection, db: string, table: string): Promise<Definition> {
  const [cols] = (await conn.query(
    `SELECT COLUMN_NAME, LOWER(COLUMN_TYPE) AS t, IS_NULLABLE, COLUMN_DEFAULT
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [db, table],
  )) as unknown as [Record<string, unknown>[]];
  const [idx] = (await conn.query(
    `SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [db, table],
  )) as unknown as [Record<string, unknown>[]];
  const def = (v: unknown) => {
    if (v === null || v === undefined) return null;
    // MariaDB quotes string defaults and writes NULL as the text NULL; MySQL and TiDB do not.
    const text = String(v);
    if (text === 'NULL') return null;
    return text.replace(/^'(.*)'$/, '$1');
  };
  return {
    columns: cols.map((c) => [
      c.COLUMN_NAME,
      String(c.t).replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, '$1'),
      c.IS_NULLABLE,
      def(c.COLUMN_DEFAULT),
    ]),
    // Sorted here: TiDB's information_schema sorts names with a binary collation.
    indexes: idx
      .map((i) => [
        String(i.INDEX_NAME).toLowerCase(),
        Number(i.NON_UNIQUE),
        Number(i.SEQ_IN_INDEX),
        i.COLUMN_NAME,
        i.SUB_PART ?? null,
      ])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}

async function tablesOf(conn: mysql.Connection, db: string): Promise<string[]> {
  const [rows] = (await conn.query(
    'SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [db],
  )) as unknown as [{ n: string }[]];
  return rows.map((r) => r.n);
}

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each(sources)('DDL replication from $name', ({ url, short, backlog }) => {
  const db = uniqueName(`iso_ddlr_${short}`);
  const prefix = uniqueName('ddlr');
  const services: ServiceProcess[] = [];
  const targets: { name: string; url: string; kind: string; conn: mysql.Connection }[] = [];
  let source: mysql.Connection | undefined;

  afterAll(() => cleanUpPipeline({ services, source, targets, db, prefix }));

  it('every target ends equal to the source: rows, columns, defaults, keys and indexes', inOrder, async ({ expect }) => {
    // The test's own expect: expect.soft is tied to the test that runs it (the suites run at once).
    if (!url) throw new Error('MYSQL8_URL is not set: run make up (it starts MySQL 8 as a second source)');
    source = await connect(url);
    const d = `\`${db}\``;
    await source.query(`CREATE DATABASE ${d}`);
    for (const sql of setup(d)) await source.query(sql);

    const capture = ownCapture(s, { name: `capture-${prefix}`, prefix, sourceUrl: url, include: [`${db}.*`] });
    services.push(capture);
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);
    const sinks: ServiceProcess[] = [];
    for (const target of s.targets) {
      const kind = target.name === 'tidb' ? 'tidb' : 'mariadb';
      targets.push({ ...target, kind, conn: await connect(target.url) });
      const sink = ownSink(s, { name: `${prefix}-${target.name}`, prefix, targetUrl: target.url, kind, extra: { ddl: 'apply' } });
      services.push(sink);
      sinks.push(sink);
      await sink.start();
    }
    // Every table with its rows is in every target before the first DDL.
    for (const target of targets) {
      await waitFor(
        `${target.name} to hold the snapshot`,
        async () => {
          const [rows] = (await target.conn.query(`SELECT COUNT(*) AS n FROM ${d}.p`).catch(() => [[{ n: 0 }]])) as [
            { n: number }[],
            unknown,
          ];
          return Number(rows[0]?.n) === 5 ? true : undefined;
        },
        90_000,
      );
    }

    if (backlog) await capture.stop();
    for (const sql of steps(d)) await source.query(sql);
    if (backlog) await capture.start();

    const logs = () => `${sinks.map((p) => p.tail(20)).join('\n')}\n${capture.tail(20)}`;
    // The last statement's row is in: everything before it was applied.
    for (const target of targets) {
      await waitFor(
        `${target.name} to apply the whole sequence`,
        async () => {
          const last = FINAL_TABLES.map((t) => `SELECT COUNT(*) AS n FROM ${d}.\`${t}\` WHERE id = 99`).join(' UNION ALL ');
          const [rows] = (await target.conn.query(last).catch(() => [[]])) as [{ n: number }[], unknown];
          return rows.length === FINAL_TABLES.length && rows.every((r) => Number(r.n) === 1) ? true : undefined;
        },
        180_000,
      ).catch((e) => {
        throw new Error(`${String(e)}\n${logs()}`);
      });
    }

    expect(await tablesOf(source, db)).toEqual(FINAL_TABLES);
    for (const target of targets) {
      // No shadow, ghost, changelog or old table, and no table under a former name.
      expect.soft(await tablesOf(target.conn, db), `${target.name} tables`).toEqual(FINAL_TABLES);
      for (const table of FINAL_TABLES) {
        const want = await definitionOf(source, db, table);
        const got = await definitionOf(target.conn, db, table);
        expect.soft(got, `${target.name} ${table} definition`).toEqual(want);
      }
      const sinkConfig = configFile(`ddlr-${target.name}`, {
        sinkName: `${prefix}-${target.name}`,
        target: { url: target.url, kind: target.kind },
        kafka: { brokers: s.kafkaBrokers },
        schemaRegistry: { url: s.registryUrl },
        topicPrefix: prefix,
      });
      const r = await sluice(['verify', '--source', url, '--sink-config', sinkConfig, '--tables', `${db}.*`]);
      expect.soft(r.code, `${target.name} verify\n${r.stdout}\n${r.stderr}\n${r.code ? logs() : ''}`).toBe(0);
    }
  });
});
