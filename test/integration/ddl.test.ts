import { schemaChangeTopic } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Design contract 7: rows written before an ALTER decode with the schema they were written with,
 * rows after it with the new one; TRUNCATE arrives as op t; each DDL is a schema-change event.
 * Once with capture streaming along, once with capture reading the whole sequence as a backlog
 * (when information_schema already shows the final table).
 */
const s = stack();

const STATEMENTS = (db: string) => [
  `CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, a VARCHAR(10))`,
  `INSERT INTO \`${db}\`.t VALUES (1, 'one')`,
  `ALTER TABLE \`${db}\`.t ADD COLUMN b DECIMAL(8,3)`,
  `INSERT INTO \`${db}\`.t VALUES (2, 'two', 2.5)`,
  `ALTER TABLE \`${db}\`.t DROP COLUMN a`,
  `INSERT INTO \`${db}\`.t VALUES (3, 3.25)`,
  `TRUNCATE TABLE \`${db}\`.t`,
  `INSERT INTO \`${db}\`.t VALUES (4, 4.125)`,
  `ALTER TABLE \`${db}\`.t MODIFY b DECIMAL(12,4)`,
  `INSERT INTO \`${db}\`.t VALUES (5, 5.5)`,
];

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each([
  { mode: 'streaming', stopDuring: false },
  { mode: 'backlog', stopDuring: true },
])('DDL mid-stream ($mode)', ({ mode, stopDuring }) => {
  const db = uniqueName('iso_ddl');
  const prefix = uniqueName('dd');
  let capture: ServiceProcess | undefined;
  let conn: mysql.Connection | undefined;

  afterAll(async () => {
    await capture?.stop();
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  it('rows before and after each ALTER carry the schema they were written with', inOrder, async () => {
    conn = await connect(s.sourceUrl);
    await conn.query(`CREATE DATABASE \`${db}\``);
    capture = ownCapture(s, {
      name: `capture-ddl-${mode}`,
      prefix,
      include: [`${db}.*`],
      extra: { topics: { cleanupPolicy: 'delete', partitions: 2 } },
    });
    await capture.start();
    // Streaming means the first checkpoint is committed: the rest is read as a backlog.
    await capture.waitLog(/"msg":"capture streaming"/);
    if (stopDuring) await capture.stop();
    for (const sql of STATEMENTS(db)) await conn.query(sql);
    if (stopDuring) await capture.start();

    const records = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.t`,
      // 5 rows, a TRUNCATE marker (op t) on each of 2 partitions, and a DDL marker (op s) on each
      // partition for each of the 3 ALTERs: with 2 partitions they are barriers (docs/ddl.md).
      expected: 13,
    });
    const rows = records.filter((r) => r.value?.op === 'c').map((r) => r.value?.after as Record<string, unknown>);
    rows.sort((x, y) => Number(x.id) - Number(y.id));
    expect(rows, capture.tail()).toEqual([
      { id: 1, a: 'one' },
      { id: 2, a: 'two', b: '2.500' },
      { id: 3, b: '3.250' },
      { id: 4, b: '4.125' },
      { id: 5, b: '5.5000' },
    ]);
    // TRUNCATE: one op t on each partition, ordered before the row written after it.
    const truncates = records.filter((r) => r.value?.op === 't');
    expect(truncates.map((r) => r.partition).sort()).toEqual([0, 1]);
    const four = records.find((r) => (r.value?.after as { id?: number } | null)?.id === 4);
    const truncateOnThatPartition = truncates.find((r) => r.partition === four?.partition);
    expect(BigInt(truncateOnThatPartition?.offset ?? -1)).toBeLessThan(BigInt(four?.offset ?? -1));

    // The rows carry their columns; the markers are written with the definition before the ALTER
    // and carry the barrier every partition of a sink waits at before rows of the new columns.
    const markers = records.filter((r) => r.value?.op === 's');
    expect(markers.map((r) => r.partition).sort()).toEqual([0, 0, 0, 1, 1, 1]);
    for (const m of markers) expect(m.headers?.['sluice.barrier'], JSON.stringify(m.headers)).toBeDefined();
    const two = records.find((r) => (r.value?.after as { id?: number } | null)?.id === 2);
    const firstAlter = markers.find((r) => r.partition === two?.partition);
    expect(BigInt(firstAlter?.offset ?? -1)).toBeLessThan(BigInt(two?.offset ?? -1));
    const changes = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: schemaChangeTopic(prefix),
      expected: 5,
    });
    expect(changes.map((c) => [c.value?.kind, c.value?.tables])).toEqual([
      ['create_table', [`${db}.t`]],
      ['alter_table', [`${db}.t`]],
      ['alter_table', [`${db}.t`]],
      ['truncate_table', [`${db}.t`]],
      ['alter_table', [`${db}.t`]],
    ]);
  });
});

describe.concurrent('DDL through the sinks', () => {
  const db = uniqueName('ddl');
  let source: mysql.Connection | undefined;
  const targets: mysql.Connection[] = [];

  afterAll(async () => {
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    for (const t of targets) {
      await t.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await t.end();
    }
  });

  it('targets follow the source (add, drop and modify columns), apply the truncate and converge', inOrder, async () => {
    source = await connect(s.sourceUrl);
    await source.query(`CREATE DATABASE \`${db}\``);
    for (const sql of STATEMENTS(db)) await source.query(sql);
    for (const t of s.targets) {
      const conn = await connect(t.url);
      targets.push(conn);
      const read = async () => {
        const [rows] = await conn.query(`SELECT id, b FROM \`${db}\`.t ORDER BY id`);
        return JSON.stringify(rows);
      };
      const got = await waitFor(`${t.name} to converge`, async () =>
        (await read()) === '[{"id":4,"b":"4.1250"},{"id":5,"b":"5.5000"}]' ? true : undefined,
      ).catch(() => false);
      expect(got ? '[{"id":4,"b":"4.1250"},{"id":5,"b":"5.5000"}]' : await read().catch((e) => String(e)), t.name).toBe(
        '[{"id":4,"b":"4.1250"},{"id":5,"b":"5.5000"}]',
      );
    }
  });

  it('targets drop a table the source drops, and follow it when it is created again', inOrder, async () => {
    const src = source as mysql.Connection;
    for (const sql of [
      `CREATE TABLE \`${db}\`.gone (id INT PRIMARY KEY, x INT)`,
      `INSERT INTO \`${db}\`.gone VALUES (1, 10), (2, 20)`,
      `CREATE TABLE \`${db}\`.again (id INT PRIMARY KEY, x INT)`,
      `INSERT INTO \`${db}\`.again VALUES (1, 10), (2, 20)`,
      `DROP TABLE \`${db}\`.gone, \`${db}\`.again`,
      // Same name, another layout: only what follows the drop lives in the target.
      `CREATE TABLE \`${db}\`.again (id INT PRIMARY KEY, y VARCHAR(5))`,
      `INSERT INTO \`${db}\`.again VALUES (7, 'new')`,
    ]) {
      await src.query(sql);
    }
    const want = JSON.stringify({ gone: [], again: [{ id: 7, y: 'new' }] });
    for (const [i, t] of s.targets.entries()) {
      const conn = targets[i] as mysql.Connection;
      const read = async () => {
        const [tables] = (await conn.query('SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [
          db,
        ])) as [{ n: string }[], unknown];
        const names = new Set(tables.map((r) => r.n));
        const [rows] = names.has('again') ? await conn.query(`SELECT * FROM \`${db}\`.again ORDER BY id`) : [[]];
        return JSON.stringify({ gone: names.has('gone') ? ['still there'] : [], again: rows });
      };
      await waitFor(`${t.name} to drop and re-create`, async () => ((await read()) === want ? true : undefined)).catch(
        () => false,
      );
      expect(await read(), t.name).toBe(want);
    }
  });
});
