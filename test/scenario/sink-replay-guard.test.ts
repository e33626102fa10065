import { createKafka, createLogger } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { VersionLoad } from '../support/load.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName } from '../support/stack.ts';

/**
 * Replay with the stale-write guard: after the sink group is reset to the earliest offsets, the
 * target converges to the source again and, while the history is re-applied, no row is ever
 * older than it was before the reset and no deleted row comes back.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];

describe('replay with the stale-write guard', () => {
  const services: ServiceProcess[] = [];
  const db = uniqueName('iso_guard');
  let source: mysql.Connection | undefined;
  let target: mysql.Connection | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await target?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    await target?.end();
  });

  it('never moves a row backwards', async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
    const prefix = uniqueName('gd');
    const sinkName = `sink-${prefix}`;
    const load = new VersionLoad(s.sourceUrl, db, 50);
    await load.createTable();
    const capture = ownCapture(s, { name: 'capture-guard', prefix, include: [`${db}.*`] });
    const sink = ownSink(s, { name: sinkName, prefix, targetUrl: mariadb.url, extra: { staleWriteGuard: true } });
    services.push(capture, sink);
    await capture.start();
    await sink.start();
    load.start(2);
    await new Promise((r) => setTimeout(r, 4_000));
    await load.stop();
    await source.query(`DELETE FROM \`${db}\`.acct WHERE id % 10 = 0`);
    const before = await expectConverged({ source, target, db, table: 'acct', columns: ['id', 'v', 'note'] });
    expect(before.target).toEqual(before.source);
    const atReset = new Map((before.target as [number, string, string][]).map(([id, v]) => [id, BigInt(v)]));

    await sink.stop();
    const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test', 'warn') });
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: sinkName, topic: `${prefix}.${db}.acct`, earliest: true });
    await admin.disconnect();
    await sink.start();

    // Watch the target while the whole history is applied again.
    const regressions: string[] = [];
    const until = Date.now() + 6_000;
    while (Date.now() < until) {
      const [rows] = (await target.query(`SELECT id, v FROM \`${db}\`.acct`)) as [{ id: number; v: string }[], unknown];
      for (const r of rows) {
        const was = atReset.get(r.id);
        if (was === undefined) regressions.push(`deleted id ${r.id} came back with v=${r.v}`);
        else if (BigInt(r.v) < was) regressions.push(`id ${r.id} went back from ${was} to ${r.v}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(regressions.slice(0, 10)).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${sink.port}/metrics`)).text();
    expect(metrics, 'the guard counts what it kept out').toMatch(/sluice_sink_stale_skipped_total\{service="sink"\} [1-9]/);
    expect(sink.log(), 'the replay reached the sink').toMatch(/"msg":"consuming"/);
    const after = await expectConverged({ source, target, db, table: 'acct', columns: ['id', 'v', 'note'] });
    expect(after.target).toEqual(after.source);
    const [[versions]] = (await target.query('SELECT COUNT(*) AS n FROM _sluice.row_versions WHERE db = ?', [db])) as [
      { n: number }[],
      unknown,
    ];
    expect(Number(versions?.n)).toBeGreaterThanOrEqual(50);
  });
});
