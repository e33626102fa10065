import { qualified } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * Event and row filters per target (sink `filters`): an archive in MariaDB that never removes
 * rows or tables, and a regional replica in TiDB that holds only the rows a predicate keeps, both
 * fed by one capture. Each target ends exactly as its filters say, value by value, and the
 * filtered changes are counted.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb');
const tidb = s.targets.find((t) => t.name === 'tidb');

describe('sink filters', () => {
  const db = uniqueName('iso_filt');
  const archiveDb = `${db}_arch`;
  const prefix = uniqueName('filt');
  const services: ServiceProcess[] = [];
  let source: mysql.Connection;
  let maria: mysql.Connection;
  let ti: mysql.Connection;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await maria?.query(`DROP DATABASE IF EXISTS \`${archiveDb}\``);
    await ti?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    for (const c of [maria, ti])
      await c?.query('DELETE FROM _sluice.checkpoints WHERE sink LIKE ?', [`${prefix}%`]).catch(() => undefined);
    await source?.end();
    await maria?.end();
    await ti?.end();
  });

  const rows = async (c: mysql.Connection, database: string, table: string, where = '1 = 1') => {
    const [r] = await c.query({
      sql: `SELECT * FROM ${qualified(database, table)} WHERE ${where} ORDER BY 1`,
      rowsAsArray: true,
    });
    return JSON.stringify(r);
  };

  it('keeps deleted rows and tables in the archive, and only the kept rows in the regional replica', async () => {
    if (!mariadb || !tidb) throw new Error('the stack needs its MariaDB and TiDB targets');
    source = await connect(s.sourceUrl);
    maria = await connect(mariadb.url);
    ti = await connect(tidb.url);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(
      `CREATE TABLE \`${db}\`.orders (id INT PRIMARY KEY, status VARCHAR(10) NOT NULL, amount DECIMAL(20,6), note TEXT)`,
    );
    await source.query(
      `CREATE TABLE \`${db}\`.customers (id BIGINT UNSIGNED PRIMARY KEY, region VARCHAR(5), \`deleted at\` DATETIME(3) NULL, name VARCHAR(40))`,
    );
    await source.query(`CREATE TABLE \`${db}\`.logs (id INT PRIMARY KEY, line VARCHAR(20))`);
    await source.query(`CREATE TABLE \`${db}\`.scratch (id INT PRIMARY KEY)`);
    // Rows before the capture starts: the snapshot goes through the same filters.
    await source.query(
      `INSERT INTO \`${db}\`.customers VALUES (1, 'eu', NULL, 'a'), (2, 'uk', NULL, 'b'), (3, 'us', NULL, 'c'), (4, 'us', NULL, 'd'), (5, 'eu', NULL, 'e'), (6, NULL, NULL, 'f'), (18446744073709551615, 'eu', NULL, 'max')`,
    );
    await source.query(`INSERT INTO \`${db}\`.logs VALUES (1, 'one'), (2, 'two')`);
    await source.query(`INSERT INTO \`${db}\`.scratch VALUES (1)`);

    const capture = ownCapture(s, { name: 'capture-filt', prefix, include: [`${db}.*`] });
    const archive = ownSink(s, {
      name: `${prefix}-archive`,
      prefix,
      targetUrl: mariadb.url,
      extra: {
        routes: [{ from: `${db}.*`, to: `${archiveDb}.*` }],
        filters: [{ tables: [`${db}.orders`, `${db}.logs`, `${db}.scr*`], skip: ['delete', 'truncate', 'drop_table'] }],
      },
    });
    const regional = ownSink(s, {
      name: `${prefix}-regional`,
      prefix,
      targetUrl: tidb.url,
      kind: 'tidb',
      extra: { filters: [{ tables: [`${db}.customers`], where: "region IN ('eu', 'uk') AND `deleted at` IS NULL" }] },
    });
    services.push(capture, archive, regional);
    await capture.start();
    await archive.start();
    await regional.start();

    await source.query(`INSERT INTO \`${db}\`.orders VALUES (1, 'new', 1.5, NULL), (2, 'new', 2.25, 'x'), (3, 'new', 3, NULL)`);
    await source.query(`UPDATE \`${db}\`.orders SET status = 'paid', amount = 99999999999999.999999 WHERE id = 2`);
    await source.query(`DELETE FROM \`${db}\`.orders WHERE id IN (1, 3)`);
    await source.query(`TRUNCATE TABLE \`${db}\`.logs`);
    await source.query(`INSERT INTO \`${db}\`.logs VALUES (1, 'uno')`);
    await source.query(`DROP TABLE \`${db}\`.scratch`);
    // Out of the region, into it, soft-deleted, deleted, new in and out, NULL region (unknown: not kept).
    await source.query(`UPDATE \`${db}\`.customers SET region = 'us' WHERE id = 1`);
    await source.query(`UPDATE \`${db}\`.customers SET region = 'eu' WHERE id = 4`);
    await source.query(`UPDATE \`${db}\`.customers SET \`deleted at\` = '2026-12-01 10:00:00.125' WHERE id = 2`);
    await source.query(`DELETE FROM \`${db}\`.customers WHERE id = 5`);
    await source.query(`INSERT INTO \`${db}\`.customers VALUES (7, 'uk', NULL, 'g'), (8, 'us', NULL, 'h')`);
    await source.query(`UPDATE \`${db}\`.customers SET name = 'f2' WHERE id = 6`);
    await source.query(`INSERT INTO \`${db}\`.orders VALUES (4, 'last', 4, NULL)`);
    await source.query(`INSERT INTO \`${db}\`.customers VALUES (9, 'eu', NULL, 'last')`);

    // The archive: orders 1 and 3 stay, the truncated logs keep their old rows (one overwritten),
    // the dropped table stays with its row.
    const wantOrders = JSON.stringify([
      [1, 'new', '1.500000', null],
      [2, 'paid', '99999999999999.999999', 'x'],
      [3, 'new', '3.000000', null],
      [4, 'last', '4.000000', null],
    ]);
    await waitFor('the archive', async () =>
      (await rows(maria, archiveDb, 'orders').catch(() => '')) === wantOrders ? true : undefined,
    );
    expect(await rows(maria, archiveDb, 'logs')).toBe(
      JSON.stringify([
        [1, 'uno'],
        [2, 'two'],
      ]),
    );
    expect(await rows(maria, archiveDb, 'scratch')).toBe(JSON.stringify([[1]]));

    // The regional replica: exactly the source's customers the predicate keeps; orders unfiltered.
    const kept = "region IN ('eu', 'uk') AND `deleted at` IS NULL";
    const want = await rows(source, db, 'customers', kept);
    expect(JSON.parse(want).map((r: unknown[]) => String(r[0]))).toEqual(['4', '7', '9', '18446744073709551615']);
    await waitFor('the regional replica', async () =>
      (await rows(ti, db, 'customers').catch(() => '')) === want ? true : undefined,
    );
    await waitFor('orders in TiDB', async () =>
      (await rows(ti, db, 'orders').catch(() => '')) === (await rows(source, db, 'orders')) ? true : undefined,
    );

    const counted = async (svc: ServiceProcess) => {
      const text = await fetch(`http://127.0.0.1:${svc.port}/metrics`).then((r) => r.text());
      return text
        .split('\n')
        .filter((l) => l.startsWith('sluice_sink_filtered_total{'))
        .map((l) => l.replace(/,?service="sink"/, ''))
        .sort();
    };
    expect(await counted(archive)).toEqual([
      `sluice_sink_filtered_total{table="${db}.logs",reason="skip_truncate"} 1`,
      `sluice_sink_filtered_total{table="${db}.orders",reason="skip_delete"} 2`,
      `sluice_sink_filtered_total{table="${db}.scratch",reason="skip_drop_table"} 1`,
    ]);
    // Snapshot rows 3, 4 and 6 and the insert of 8 not kept; 1 and 2 updated out of the region,
    // and 6 updated while out of it: deleted in the target (a no-op for 6).
    expect(await counted(regional)).toEqual([
      `sluice_sink_filtered_total{table="${db}.customers",reason="where_deleted"} 3`,
      `sluice_sink_filtered_total{table="${db}.customers",reason="where_not_kept"} 4`,
    ]);

    // sluice status reads every sink given its config: both targets' freshness in one call, and
    // every prefix on the cluster with --all-prefixes.
    const cfg = (name: string, url: string, kind: string) =>
      configFile(name, {
        sinkName: name,
        target: { url, kind },
        kafka: { brokers: s.kafkaBrokers },
        schemaRegistry: { url: s.registryUrl },
        topicPrefix: prefix,
      });
    const both = [
      '--sink-config',
      cfg(`${prefix}-archive`, mariadb.url, 'mariadb'),
      '--sink-config',
      cfg(`${prefix}-regional`, tidb.url, 'tidb'),
    ];
    const status = await sluice(['status', ...both, '--json']);
    const sinks = JSON.parse(status.stdout).sinks as { group: { name: string }; freshnessSeconds: number | null }[];
    expect(sinks.map((x) => x.group.name)).toEqual([`${prefix}-archive`, `${prefix}-regional`]);
    for (const x of sinks) expect(x.freshnessSeconds, x.group.name).toBeTypeOf('number');
    const all = await sluice(['status', ...both, '--all-prefixes', '--json']);
    const prefixes = (JSON.parse(all.stdout).prefixes as { prefix: string }[]).map((r) => r.prefix);
    expect(prefixes).toContain(prefix);
  });
});
