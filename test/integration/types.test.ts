import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';
import { createTypeTableSql, insertTypeRowSql, TYPE_COLUMNS, TYPE_ROWS, typeRowParams } from '../support/type-fixture.ts';

/**
 * Design contract 3, value by value: a row of every type with edge values is captured from the
 * source, read back from Kafka, decoded through the registry and compared to the exact Avro value
 * expected for it. Run against MariaDB and MySQL 8.
 */
const s = stack();
const sources = [
  { name: 'MariaDB 10.11', url: s.sourceUrl },
  { name: 'MySQL 8', url: s.mysql8Url },
];

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each(sources)('every type from $name', ({ name, url }) => {
  const db = uniqueName('iso_types');
  const prefix = uniqueName('ty');
  let capture: ServiceProcess | undefined;
  let conn: mysql.Connection | undefined;

  afterAll(async () => {
    await capture?.stop();
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  it('arrives in Kafka exactly as in the source, by snapshot and by binlog', inOrder, async () => {
    if (!url) throw new Error('MYSQL8_URL is not set: run make up (it starts MySQL 8 as a second source)');
    conn = await connect(url);
    await conn.query("SET time_zone = '+00:00'");
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.query(createTypeTableSql(db));
    // Rows already there are read by the snapshot (binary protocol); later ones from the binlog.
    await conn.query(createTypeTableSql(db, 'snapshotted'));
    for (const row of TYPE_ROWS) await conn.query(insertTypeRowSql(db, 'snapshotted'), typeRowParams(row));
    capture = ownCapture(s, {
      name: `capture-types-${name.split(' ')[0]}`,
      prefix,
      sourceUrl: url,
      include: [`${db}.*`],
    });
    await capture.start();
    await conn.beginTransaction();
    for (const row of TYPE_ROWS) await conn.query(insertTypeRowSql(db), typeRowParams(row));
    await conn.commit();

    const mysqlJson = name.startsWith('MySQL');
    for (const [table, op] of [
      ['snapshotted', 'r'],
      ['alltypes', 'c'],
    ]) {
      const records = await readTopic({
        brokers: s.kafkaBrokers,
        registryUrl: s.registryUrl,
        topic: `${prefix}.${db}.${table}`,
        expected: TYPE_ROWS.length,
        settleMs: 500,
      });
      expect(records, capture.tail()).toHaveLength(TYPE_ROWS.length);
      for (const row of TYPE_ROWS) {
        const record = records.find((r) => (r.value?.after as { id: number } | undefined)?.id === row.id);
        expect(record?.value?.op, `${table} row ${row.id}`).toBe(op);
        const after = (record?.value?.after ?? {}) as Record<string, unknown>;
        for (const col of TYPE_COLUMNS) {
          const want = row.avro[col.name] ?? null;
          const got = after[col.name];
          if (col.name === 'js' && mysqlJson && want !== null) {
            // MySQL stores JSON in a binary form and renders it anew: equal as JSON, not as text.
            expect(JSON.parse(String(got)), `${table} row ${row.id} ${col.ddl}`).toEqual(JSON.parse(String(want)));
          } else {
            expect(got, `${table} row ${row.id} ${col.ddl}`).toEqual(want);
          }
        }
      }
    }
  });
});

describe.concurrent('every type through the sinks', () => {
  const db = uniqueName('types');
  const targets: { name: string; conn: mysql.Connection }[] = [];
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    for (const t of targets) {
      await t.conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await t.conn.end();
    }
  });

  // FLOAT as text is rounded differently by each server; its exact value is compared as DOUBLE.
  const select = `SELECT id, ${TYPE_COLUMNS.map((c) => (c.ddl === 'FLOAT' ? `CAST(\`${c.name}\` AS DOUBLE)` : `\`${c.name}\``)).join(', ')} FROM \`${db}\`.alltypes ORDER BY id`;
  const read = async (c: mysql.Connection) => {
    await c.query("SET time_zone = '+00:00'");
    const [rows] = await c.query({ sql: select, rowsAsArray: true });
    return rows as unknown[][];
  };

  it('reaches every target bit for bit', inOrder, async () => {
    source = await connect(s.sourceUrl);
    await source.query("SET time_zone = '+00:00'");
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(createTypeTableSql(db));
    for (const row of TYPE_ROWS) await source.query(insertTypeRowSql(db), typeRowParams(row));
    const expected = await read(source);
    for (const t of s.targets) {
      const conn = await connect(t.url);
      targets.push({ name: t.name, conn });
      await waitFor(`${t.name} to hold every row`, async () => {
        const rows = await read(conn).catch(() => []);
        return rows.length === expected.length ? rows : undefined;
      }).catch(() => undefined);
      const got = await read(conn);
      for (let r = 0; r < expected.length; r++) {
        const names = ['id', ...TYPE_COLUMNS.map((c) => c.ddl)];
        for (let c = 0; c < names.length; c++) {
          expect(got[r]?.[c], `${t.name} row ${r + 1} ${names[c]}`).toEqual(expected[r]?.[c]);
        }
      }
    }
  });
});
