import { randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * Statements stay under the target's max_allowed_packet: a fetched batch of large rows that would
 * make one multi-row upsert of about a megabyte is split into statements the target accepts.
 * The target's limit is lowered to 256 KiB for this test (new connections only) and restored.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];

describe('sink statement size', () => {
  const db = uniqueName('iso_limits');
  const prefix = uniqueName('lim');
  const services: ServiceProcess[] = [];
  let source: mysql.Connection | undefined;
  let target: mysql.Connection | undefined;
  let packet: number | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    if (packet) await target?.query('SET GLOBAL max_allowed_packet = ?', [packet]);
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await target?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    await target?.end();
  });

  it('splits upserts of large rows to fit max_allowed_packet, and the target converges', async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
    const [[row]] = (await target.query('SELECT @@GLOBAL.max_allowed_packet AS p')) as [{ p: number }[], unknown];
    packet = Number(row?.p);
    await target.query('SET GLOBAL max_allowed_packet = 262144');

    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.big (id INT PRIMARY KEY, b MEDIUMBLOB NOT NULL)`);
    // One source transaction of 40 rows of 100 KiB: fetched together, far over 256 KiB together.
    await source.beginTransaction();
    for (let id = 1; id <= 40; id++) await source.query(`INSERT INTO \`${db}\`.big VALUES (?, ?)`, [id, randomBytes(100 * 1024)]);
    await source.commit();

    const capture = ownCapture(s, { name: 'capture-limits', prefix, include: [`${db}.*`] });
    // onError stop (the default): a statement the target refuses would stop this sink.
    const sink = ownSink(s, { name: `sink-${prefix}`, prefix, targetUrl: mariadb.url });
    services.push(capture, sink);
    await capture.start();
    await sink.start();

    const digest = `SELECT id, SHA2(b, 256) AS h FROM \`${db}\`.big ORDER BY id`;
    const [want] = await source.query(digest);
    const got = await waitFor(
      'the large rows in the target',
      async () => {
        const [rows] = await (target as mysql.Connection).query(digest).catch(() => [[]]);
        return (rows as unknown[]).length === 40 ? rows : undefined;
      },
      90_000,
    ).catch(() => sink.tail());
    expect(got, sink.tail()).toEqual(want);
    expect(sink.log()).not.toMatch(/sink stops/);
  });
});
