import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { sluice } from '../support/cli.ts';
import { cleanUpPipeline, ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { createTypeTableSql, insertTypeRowSql, TYPE_ROWS, typeRowParams } from '../support/type-fixture.ts';

/**
 * The checksum SQL must print equal values alike on every server: the table with a column of
 * every type goes through the pipeline into the MariaDB and the TiDB target, and verify says equal
 * against both, comparing every column (MariaDB's JSON is text, so it is compared too). From
 * MySQL 8, native JSON is the one column left out, with a note. A one-ulp change of a FLOAT in
 * the target is found, so equality is not the checksum ignoring a column.
 */
const s = stack();
const sources = [
  { name: 'MariaDB 10.11', url: s.sourceUrl, jsonNote: false },
  { name: 'MySQL 8', url: s.mysql8Url, jsonNote: true },
];

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each(sources)('sluice verify on every type from $name', ({ url, jsonNote }) => {
  const db = uniqueName('iso_clity');
  const prefix = uniqueName('clity');
  const services: ServiceProcess[] = [];
  const targets: { name: string; url: string; conn: mysql.Connection }[] = [];
  let source: mysql.Connection | undefined;

  afterAll(() => cleanUpPipeline({ services, source, targets, db, prefix }));

  it('says equal against the MariaDB and the TiDB target, column by column', inOrder, async () => {
    if (!url) throw new Error('MYSQL8_URL is not set: run make up (it starts MySQL 8 as a second source)');
    source = await connect(url);
    await source.query("SET time_zone = '+00:00'");
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(createTypeTableSql(db));
    for (const row of TYPE_ROWS) await source.query(insertTypeRowSql(db), typeRowParams(row));
    const capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      sourceUrl: url,
      include: [`${db}.*`],
      extra: { heartbeatMs: 500 },
    });
    services.push(capture);
    await capture.start();
    for (const t of s.targets) {
      const kind = t.name === 'tidb' ? 'tidb' : 'mariadb';
      const sink = ownSink(s, { name: `${prefix}-${t.name}`, prefix, targetUrl: t.url, kind });
      services.push(sink);
      await sink.start();
      const conn = await connect(t.url);
      targets.push({ name: t.name, url: t.url, conn });
    }
    expect(targets.map((t) => t.name).sort()).toEqual(['mariadb', 'tidb']);
    for (const t of targets) {
      await waitFor(`${t.name} to hold every row`, async () => {
        const [rows] = (await t.conn.query(`SELECT COUNT(*) AS n FROM \`${db}\`.alltypes`).catch(() => [[]])) as unknown as [
          { n: string }[],
        ];
        return Number(rows[0]?.n) === TYPE_ROWS.length ? true : undefined;
      });
      const r = await sluice([
        'verify',
        '--source',
        url,
        '--target',
        t.url,
        '--sink',
        `${prefix}-${t.name}`,
        '--topic-prefix',
        prefix,
        '--tables',
        `${db}.*`,
        '--json',
      ]);
      expect(r.code, `${t.name}: ${r.stdout}\n${r.stderr}`).toBe(0);
      const [table] = JSON.parse(r.stdout).tables;
      expect(table.status, t.name).toBe('equal');
      expect(table.sourceRows).toBe(TYPE_ROWS.length);
      expect(table.targetRows).toBe(TYPE_ROWS.length);
      if (jsonNote) {
        expect(table.notes, t.name).toEqual([expect.stringMatching(/^js: not compared \(JSON stored as json on the source/)]);
      } else {
        expect(table.notes, t.name).toEqual([]);
      }
    }
  });

  it('finds a FLOAT one step off in the TiDB target', inOrder, async () => {
    const tidb = targets.find((t) => t.name === 'tidb');
    if (!tidb) throw new Error('no TiDB target');
    // 1.1f is 1.10000002384185791015625; the next float up is 1.10000014305114746.
    await tidb.conn.query(`UPDATE \`${db}\`.alltypes SET f = 1.10000014305114746 WHERE id = 4`);
    const r = await sluice(['verify', '--source', url as string, '--target', tidb.url, '--tables', `${db}.*`, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).tables[0].rows).toEqual([{ kind: 'changed', key: { id: 4 }, columns: ['f'] }]);
    const fixed = await sluice([
      'verify',
      '--source',
      url as string,
      '--target',
      tidb.url,
      '--tables',
      `${db}.*`,
      '--fix',
      'apply',
    ]);
    expect(fixed.code, fixed.stderr).toBe(1);
    const again = await sluice(['verify', '--source', url as string, '--target', tidb.url, '--tables', `${db}.*`]);
    expect(again.code, again.stdout).toBe(0);
  });
});
