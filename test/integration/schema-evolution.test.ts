import { parseColumnDefault, sameDefault } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeType } from '../../services/sink/src/apply/schema-diff.ts';
import { sluice } from '../support/cli.ts';
import { cleanUpPipeline, ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * Issue 10, item 4: every column change MySQL accepts goes through, from MariaDB and from MySQL 8,
 * into the MariaDB and the TiDB target (sink ddl: apply), on a table that already holds rows,
 * with rows written between the steps. The capture never stops; at the end every target holds
 * the same rows, column by column, and the same columns (type, nullability, default, charset).
 */
const s = stack();
const env = { SLUICE_SCHEMA_REGISTRY_URL: s.registryUrl, SLUICE_KAFKA_BROKERS: s.kafkaBrokers.join(',') };
const sources = [
  { name: 'MariaDB 10.11', url: s.sourceUrl, short: 'maria' },
  { name: 'MySQL 8', url: s.mysql8Url, short: 'my8' },
];

/** One step: DDL and the DML after it. `backlog` steps run while the capture is stopped. */
const steps = (t: string): { what: string; sql: string[]; backlog?: boolean }[] => [
  {
    what: 'ADD COLUMN NOT NULL DEFAULT on a table with rows',
    sql: [
      `ALTER TABLE ${t} ADD COLUMN y INT NOT NULL DEFAULT 7`,
      `INSERT INTO ${t} (id, x, w, a, n, lt, y) VALUES (5, 5, 'w5', 'a5', 5, 'l5', 1)`,
    ],
  },
  {
    what: 'ADD COLUMN with a string default holding quotes',
    sql: [
      `ALTER TABLE ${t} ADD COLUMN q VARCHAR(20) NOT NULL DEFAULT 'it''s "q" \\\\'`,
      `INSERT INTO ${t} (id, x, w, a, n, lt) VALUES (6, NULL, 'w6', 'a6', 6, 'l6')`,
      `UPDATE ${t} SET q = 'set' WHERE id = 1`,
    ],
  },
  {
    what: 'MODIFY NOT NULL after filling NULLs',
    sql: [
      `UPDATE ${t} SET x = 0 WHERE x IS NULL`,
      `ALTER TABLE ${t} MODIFY x INT NOT NULL`,
      `INSERT INTO ${t} (id, x, w, a, n, lt) VALUES (7, 7, 'w7', 'a7', 7, 'l7')`,
    ],
  },
  {
    what: 'MODIFY back to NULL',
    sql: [`ALTER TABLE ${t} MODIFY x INT NULL`, `INSERT INTO ${t} (id, x, w, a, n, lt) VALUES (8, NULL, 'w8', 'a8', 8, 'l8')`],
  },
  {
    what: 'widen INT -> BIGINT',
    sql: [
      `ALTER TABLE ${t} MODIFY n BIGINT`,
      `INSERT INTO ${t} (id, x, w, a, n, lt) VALUES (9, 9, 'w9', 'a9', 3000000000, 'l9')`,
    ],
  },
  {
    what: 'narrow VARCHAR(100) -> VARCHAR(20) and BIGINT -> INT',
    sql: [
      // A value longer than the narrowed type, shortened before the ALTER: a target narrowed
      // too early (from a schema of later than the row) would refuse it.
      `INSERT INTO ${t} (id, x, w, a, n, lt) VALUES (16, 16, '${'w'.repeat(60)}', 'a16', 16, 'l16')`,
      `UPDATE ${t} SET w = 'short again' WHERE id = 16`,
      `UPDATE ${t} SET n = 2147483647 WHERE n > 2147483647`,
      `ALTER TABLE ${t} MODIFY w VARCHAR(20), MODIFY n INT`,
      `INSERT INTO ${t} (id, x, w, a, n, lt) VALUES (10, 10, 'w10', 'a10', -2147483648, 'l10')`,
    ],
  },
  {
    what: 'RENAME COLUMN, then CHANGE with no row between',
    sql: [
      `ALTER TABLE ${t} RENAME COLUMN a TO b`,
      `ALTER TABLE ${t} CHANGE b c VARCHAR(30) NOT NULL DEFAULT 'cc'`,
      `INSERT INTO ${t} (id, x, w, c, n, lt) VALUES (11, 11, 'w11', 'c11', 11, 'l11')`,
    ],
  },
  {
    what: 'charset latin1 -> utf8mb4, then an emoji',
    sql: [
      `ALTER TABLE ${t} MODIFY lt VARCHAR(30) CHARACTER SET utf8mb4`,
      `INSERT INTO ${t} (id, x, w, c, n, lt) VALUES (12, 12, 'w12', 'c12', 12, '😀 ok')`,
      `UPDATE ${t} SET lt = CONCAT(lt, ' 🚀') WHERE id = 1`,
    ],
  },
  {
    what: 'DROP COLUMN',
    sql: [`ALTER TABLE ${t} DROP COLUMN gone`, `INSERT INTO ${t} (id, x, w, c, n, lt) VALUES (13, 13, 'w13', 'c13', 13, 'l13')`],
  },
  {
    what: 'while the capture is stopped: ADD COLUMN, a row, RENAME COLUMN, a row (a backlog)',
    backlog: true,
    sql: [
      `ALTER TABLE ${t} ADD COLUMN z DATE NOT NULL DEFAULT '2020-01-02'`,
      `INSERT INTO ${t} (id, x, w, c, n, lt, z) VALUES (14, 14, 'w14', 'c14', 14, 'l14', '2024-02-29')`,
      `ALTER TABLE ${t} RENAME COLUMN c TO d`,
      `INSERT INTO ${t} (id, x, w, d, n, lt) VALUES (15, 15, 'w15', 'd15', 15, 'l15')`,
    ],
  },
  {
    what: 'after the restart',
    sql: [`UPDATE ${t} SET d = 'renamed twice', y = 8 WHERE id = 2`, `DELETE FROM ${t} WHERE id = 3`],
  },
];

interface ColumnFacts {
  name: string;
  type: string;
  nullable: string;
  rawDefault: string | null;
  extra: string;
  charset: string | null;
}

async function columnsOf(conn: mysql.Connection, db: string): Promise<ColumnFacts[]> {
  const [rows] = await conn.query(
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS rawDefault,
            EXTRA AS extra, CHARACTER_SET_NAME AS charset
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION`,
    [db],
  );
  return rows as ColumnFacts[];
}

const flavorOf = async (conn: mysql.Connection) => {
  const [[r]] = (await conn.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
  return /mariadb/i.test(r.v) ? ('mariadb' as const) : ('mysql' as const);
};

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each(sources)('schema evolution from $name', ({ name, url, short }) => {
  const db = uniqueName(`iso_evo_${short}`);
  const prefix = uniqueName('evo');
  const services: ServiceProcess[] = [];
  const targets: { name: string; conn: mysql.Connection }[] = [];
  let source: mysql.Connection | undefined;

  afterAll(() => cleanUpPipeline({ services, source, targets, db, prefix }));

  it('every column change reaches both targets exactly, and the capture never stops', {
    ...inOrder,
    timeout: 420_000,
  }, async () => {
    if (!url) throw new Error('MYSQL8_URL is not set: run make up (it starts MySQL 8 as a second source)');
    source = await connect(url);
    const t = `\`${db}\`.t`;
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(
      `CREATE TABLE ${t} (id INT PRIMARY KEY, x INT NULL, w VARCHAR(100), a VARCHAR(30), n INT,
         lt VARCHAR(30) CHARACTER SET latin1, gone INT DEFAULT 3)`,
    );
    await source.query(
      `INSERT INTO ${t} (id, x, w, a, n, lt) VALUES (1, NULL, 'w1', 'a1', 1, 'é1'), (2, 2, 'w2', 'a2', 2, 'l2'),
         (3, NULL, 'w3', 'a3', 3, 'l3'), (4, 4, 'w4', 'a4', 4, 'l4')`,
    );
    const capture = ownCapture(s, { name: `capture-${prefix}`, prefix, sourceUrl: url, include: [`${db}.*`] });
    services.push(capture);
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);
    const sinks: ServiceProcess[] = [];
    for (const target of s.targets) {
      targets.push({ name: target.name, conn: await connect(target.url) });
      const kind = target.name === 'tidb' ? 'tidb' : 'mariadb';
      const sink = ownSink(s, {
        name: `${prefix}-${target.name}`,
        prefix,
        targetUrl: target.url,
        kind,
        extra: { ddl: 'apply' },
      });
      services.push(sink);
      sinks.push(sink);
      await sink.start();
    }
    // The table with its rows is in every target before the first ALTER.
    for (const target of targets) {
      await waitFor(`${target.name} to hold the snapshot`, async () => {
        const [rows] = (await target.conn.query(`SELECT COUNT(*) AS n FROM ${t}`).catch(() => [[{ n: 0 }]])) as [
          { n: number }[],
          unknown,
        ];
        return Number(rows[0]?.n) === 4 ? true : undefined;
      });
    }

    const cols = async () => (await columnsOf(source as mysql.Connection, db)).map((c) => `\`${c.name}\``).join(', ');
    const read = async (c: mysql.Connection) => {
      const [rows] = await c.query({ sql: `SELECT ${await cols()} FROM ${t} ORDER BY id`, rowsAsArray: true });
      return JSON.stringify(rows);
    };
    /** Every target holds the source's rows, column by column, and the same columns. */
    const expectSame = async (what: string) => {
      const src = source as mysql.Connection;
      const rows = await read(src);
      for (const target of targets) {
        const got = await waitFor(
          `${target.name} to converge`,
          async () => {
            const g = await read(target.conn).catch(() => '');
            return g === rows ? g : undefined;
          },
          120_000,
        ).catch(async () => read(target.conn).catch((e) => String(e)));
        expect(got, `${what} ${target.name} rows\n${sinks.map((p) => p.tail(15)).join('\n')}\n${capture.tail(15)}`).toBe(rows);
      }
      const sourceFlavor = await flavorOf(src);
      const srcCols = await columnsOf(src, db);
      for (const target of targets) {
        const targetFlavor = await flavorOf(target.conn);
        const tgtCols = await columnsOf(target.conn, db);
        expect(
          tgtCols.map((c) => c.name),
          `${what} ${target.name}`,
        ).toEqual(srcCols.map((c) => c.name));
        for (const [i, sc] of srcCols.entries()) {
          const tc = tgtCols[i] as ColumnFacts;
          const where = `${what} ${target.name} column ${sc.name}`;
          expect(normalizeType(tc.type), where).toBe(normalizeType(sc.type));
          expect(tc.nullable, where).toBe(sc.nullable);
          expect(tc.charset, where).toBe(sc.charset);
          const def = (c: ColumnFacts, flavor: 'mariadb' | 'mysql') =>
            parseColumnDefault({ flavor, raw: c.rawDefault, extra: c.extra, sqlType: c.type, nullable: c.nullable === 'YES' });
          const sd = def(sc, sourceFlavor);
          const td = def(tc, targetFlavor);
          expect(sameDefault(sd, td, sc.type), `${where}: ${JSON.stringify(sd)} vs ${JSON.stringify(td)}`).toBe(true);
        }
      }
    };

    for (const step of steps(t)) {
      if (step.backlog) {
        // Caught up first, so that only this step is read as a backlog. (A capture still behind at
        // the RENAME/CHANGE steps when stopped lost the renamed column's values on MySQL 8 in
        // full-suite runs: an open defect, see issue 11's note.)
        await expectSame(`${name} -> (before the backlog)`);
        await capture.stop();
        for (const sql of step.sql) await source.query(sql);
        await capture.start();
      } else {
        for (const sql of step.sql) await source.query(sql);
      }
    }

    await expectSame(`${name} ->`);
    expect(await read(source)).toContain('it\'s \\"q\\" \\\\'); // the default with quotes reached the old rows
    expect(await read(source)).toContain('😀 ok');

    // Replay: every sink group back to the earliest offsets. Each target goes back through every
    // older version (renames undone from the newest history, not dropped) and forward again.
    for (const [i, sink] of sinks.entries()) {
      await sink.stop();
      const r = await sluice(
        ['replay', '--sink', `${prefix}-${targets[i]?.name}`, '--topic-prefix', prefix, '--earliest', '--yes'],
        {
          env,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      await sink.start();
    }
    // A row after the replayed ones: when it is in, every older record was applied again.
    await source.query(`INSERT INTO ${t} (id, x, w, d, n, lt) VALUES (99, 99, 'w99', 'd99', 99, 'l99')`);
    await expectSame(`${name} -> (after a replay)`);
    for (const sink of sinks) expect(sink.log(), sink.tail()).toMatch(/renamed columns d -> a/);

    // Nothing stopped: no capture run failed, no sink stopped.
    expect(capture.log(), capture.tail()).not.toMatch(/capture run failed|"level":60/);
    for (const sink of sinks) expect(sink.log(), sink.tail()).not.toMatch(/sink stops|"level":60/);
  });
});
