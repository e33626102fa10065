import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { VersionLoad } from '../support/load.ts';
import { freePort, ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Operation under load: the source drops capture's binlog connection (capture reconnects by
 * itself from its checkpoint), then a standby with the same capture id starts and fences the
 * first instance (which exits with a clear message), then the standby is stopped with SIGTERM
 * (exit 0). Through all of it, every change is on the topic exactly once, in order per key.
 */
describe('capture reconnect, standby takeover and SIGTERM', () => {
  const s = stack();
  const db = uniqueName('iso_failover');
  const prefix = uniqueName('fo');
  const processes: ServiceProcess[] = [];
  let source: mysql.Connection | undefined;
  let load: VersionLoad | undefined;

  afterAll(async () => {
    await load?.stop();
    for (const p of processes) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
  });

  const capture = (name: string, serverId: number) => {
    const p = new ServiceProcess(
      'capture',
      name,
      {
        captureId: prefix,
        source: { url: s.sourceUrl, serverId },
        kafka: { brokers: s.kafkaBrokers },
        schemaRegistry: { url: s.registryUrl },
        topicPrefix: prefix,
        tables: { include: [`${db}.*`] },
        topics: { cleanupPolicy: 'delete' },
        snapshot: { mode: 'never' },
      },
      freePort(),
    );
    processes.push(p);
    return p;
  };
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('loses and doubles nothing', async () => {
    source = await connect(s.sourceUrl);
    load = new VersionLoad(s.sourceUrl, db, 100);
    await load.createTable();
    const primary = capture('capture-primary', 54500 + (process.pid % 100));
    await primary.start();
    await primary.waitLog(/"msg":"capture streaming"/);
    load.start(2);
    await pause(2_000);

    // The source kills the binlog dump connection, as a restart or a network cut would.
    const [dumps] = (await source.query("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) as [
      { ID: number }[],
      unknown,
    ];
    expect(dumps.length).toBeGreaterThan(0);
    for (const d of dumps) await source.query(`KILL ${Number(d.ID)}`).catch(() => undefined);
    await primary.waitLog(/"msg":"capture streaming"/, 2, 60_000);
    await pause(2_000);

    // A standby with the same capture id takes over; the primary is fenced and exits.
    const standby = capture('capture-standby', 54600 + (process.pid % 100));
    await standby.start();
    const primaryExit = await Promise.race([primary.waitExit(), pause(60_000).then(() => 'still running')]);
    expect(primaryExit, primary.tail()).toBe(1);
    expect(primary.log()).toMatch(/another capture with the same captureId took over/);
    await pause(2_000);
    await load.stop();

    const [rows] = (await source.query(`SELECT id, v FROM \`${db}\`.acct ORDER BY id`)) as [{ id: number; v: string }[], unknown];
    const expected = rows.reduce((n, r) => n + Number(r.v), 0);
    const records = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.acct`,
      expected,
    });
    const history = new Map<number, string[]>();
    for (const r of records) {
      const after = r.value?.after as { id: number; v: bigint };
      history.set(after.id, [...(history.get(after.id) ?? []), String(after.v)]);
    }
    const problems = rows
      .filter((row) => (history.get(row.id) ?? []).join(',') !== Array.from({ length: Number(row.v) }, (_, i) => i + 1).join(','))
      .map((row) => `id ${row.id}: source v=${row.v}, topic ${history.get(row.id)?.join(',')}`);
    expect(problems.slice(0, 10), standby.tail()).toEqual([]);

    // SIGTERM: the standby finishes or aborts its Kafka transaction and exits 0.
    expect(await standby.stop()).toBe(0);
  });
});
