import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * Issue 15: TiDB as a source (source.kind tidb, the query capture). Rows written before the
 * capture starts (snapshot), then inserts, two updates of a row within one second, deletes, a
 * table without a change column, and an ADD COLUMN, captured from the stack's TiDB and applied
 * to the MariaDB target and to the TiDB target (into another database); every table ends equal,
 * column by column and by `sluice verify`.
 */
const s = stack();
const tidb = s.targets.find((t) => t.name === 'tidb');
const mariadb = s.targets.find((t) => t.name === 'mariadb');

describe('TiDB source (query capture) into MariaDB and TiDB', () => {
  const db = uniqueName('iso_tq');
  const copy = `${db}_copy`;
  const prefix = uniqueName('tq');
  const services: ServiceProcess[] = [];
  let source: mysql.Connection | undefined;
  let maria: mysql.Connection | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.query(`DROP DATABASE IF EXISTS \`${copy}\``);
    await source?.query('DELETE FROM _sluice.checkpoints WHERE sink LIKE ?', [`${prefix}%`]).catch(() => undefined);
    await source?.end();
    await maria?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await maria?.query('DELETE FROM _sluice.checkpoints WHERE sink LIKE ?', [`${prefix}%`]).catch(() => undefined);
    await maria?.end();
  });

  it('captures snapshot, inserts, same-second updates, deletes and an ADD COLUMN; both targets end equal', async () => {
    if (!tidb || !mariadb) throw new Error('the stack has no TiDB or no MariaDB target');
    source = await connect(tidb.url);
    maria = await connect(mariadb.url);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(
      `CREATE TABLE \`${db}\`.items (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, price DECIMAL(12,4), data VARBINARY(16),
         at DATETIME(6), changed TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`,
    );
    // No change column: compared whole, range by range; a binary composite key, changed by an update.
    const odd = '`odd ``näme``;`';
    await source.query(
      `CREATE TABLE \`${db}\`.${odd} (k VARBINARY(20), n BIGINT UNSIGNED, f DOUBLE, note TEXT, PRIMARY KEY (k, n))`,
    );
    await source.query(`CREATE TABLE \`${db}\`.gone (id INT PRIMARY KEY)`);
    await source.query(`INSERT INTO \`${db}\`.gone VALUES (1), (2)`);
    await source.query(
      `INSERT INTO \`${db}\`.items (id, name, price, data, at) VALUES (1, 'one', 1.0001, X'00ff00', '2026-01-01 00:00:00.000001'), (2, 'two', NULL, NULL, NULL), (3, 'three', -3.5, X'', '1970-01-01 00:00:01')`,
    );
    await source.query(
      `INSERT INTO \`${db}\`.${odd} VALUES (X'00', 18446744073709551615, 0.1, 'ä'), ('b', 0, -1e300, NULL), (X'ff00', 7, 1.5, 'c')`,
    );

    const capture = ownCapture(s, {
      name: 'capture-tidb-source',
      prefix,
      sourceUrl: tidb.url,
      include: [`${db}.*`],
      extra: { source: { kind: 'tidb', query: { intervalMs: 300, chunkRows: 100 } } },
    });
    const toMaria = ownSink(s, { name: `${prefix}-maria`, prefix, targetUrl: mariadb.url });
    const toTidb = ownSink(s, {
      name: `${prefix}-tidb`,
      prefix,
      targetUrl: tidb.url,
      kind: 'tidb',
      extra: { routes: [{ from: `${db}.*`, to: `${copy}.*` }] },
    });
    services.push(capture, toMaria, toTidb);
    await capture.start();
    await toMaria.start();
    await toTidb.start();

    const t = `\`${db}\`.items`;
    for (let i = 10; i < 60; i++) await source.query(`INSERT INTO ${t} (id, name, price) VALUES (?, ?, ?)`, [i, `n${i}`, i / 7]);
    // Two updates of one row within the same second, then one that changes nothing.
    await source.query(`UPDATE ${t} SET name = 'first' WHERE id = 11`);
    await source.query(`UPDATE ${t} SET name = 'second' WHERE id = 11`);
    await source.query(`UPDATE ${t} SET price = price WHERE id = 12`);
    await source.query(`DELETE FROM ${t} WHERE id IN (2, 13, 14)`);
    await source.query(`UPDATE \`${db}\`.${odd} SET n = n - 1, note = 'changed' WHERE k = X'00'`);
    await source.query(`DELETE FROM \`${db}\`.${odd} WHERE k = 'b'`);
    await source.query(`INSERT INTO \`${db}\`.${odd} VALUES ('d', 1, 2.5, REPEAT('x', 5000))`);
    await new Promise((r) => setTimeout(r, 1500));
    await source.query(`ALTER TABLE ${t} ADD COLUMN extra VARCHAR(20) NOT NULL DEFAULT 'x'`);
    await source.query(`INSERT INTO ${t} (id, name, extra) VALUES (100, 'after', 'y')`);
    await source.query(`UPDATE ${t} SET extra = 'z', name = 'later' WHERE id = 15`);
    await source.query(`DELETE FROM ${t} WHERE id = 16`);
    await source.query(`DROP TABLE \`${db}\`.gone`);

    const itemCols = ['id', 'name', 'price', 'data', 'at', 'changed', 'extra'];
    const oddCols = ['k', 'n', 'f', 'note'];
    for (const [conn, targetDb] of [
      [maria, db],
      [source, copy],
    ] as const) {
      const a = await expectConverged({ source, target: conn, db, targetDb, table: 'items', columns: itemCols });
      expect(a.target, capture.tail()).toEqual(a.source);
      const b = await expectConverged({ source, target: conn, db, targetDb, table: 'odd `näme`;', columns: oddCols });
      expect(b.target).toEqual(b.source);
    }
    // A table dropped on the source is dropped on the targets (a DROP TABLE marker).
    for (const [conn, targetDb] of [
      [maria, db],
      [source, copy],
    ] as const) {
      const left = await waitFor(
        `${targetDb}.gone to be dropped`,
        async () => {
          const [r] = (await conn.query(
            'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
            [targetDb, 'gone'],
          )) as unknown as [[{ n: number }]];
          return Number(r[0].n) === 0 ? true : undefined;
        },
        30_000,
      ).catch(() => false);
      expect(left, `${targetDb}.gone still there\n${capture.tail()}`).toBe(true);
    }
    const sinkConfig = configFile('tq-verify', {
      sinkName: `${prefix}-maria`,
      target: { url: mariadb.url, kind: 'mariadb' },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
    });
    const verify = await sluice(['verify', '--source', tidb.url, '--sink-config', sinkConfig, '--tables', `${db}.*`]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
