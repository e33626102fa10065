import type mysql from 'mysql2/promise';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { VersionLoad } from '../support/load.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName } from '../support/stack.ts';

/**
 * Design contract 5 under failure: a sink killed with SIGKILL three times, and a target that is
 * down for 30 s, while changes flow. Afterwards the target equals the source, every row and
 * column.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const here = new URL('../../deploy/local/components/mariadb.sh', import.meta.url).pathname;

describe('sink under failure', () => {
  const services: ServiceProcess[] = [];
  const loads: VersionLoad[] = [];
  const dbs: string[] = [];
  let source: mysql.Connection | undefined;
  let target: mysql.Connection | undefined;

  afterEach(async () => {
    for (const l of loads.splice(0)) await l.stop();
    for (const p of services.splice(0)) await p.stop();
  });

  afterAll(async () => {
    for (const db of dbs) {
      await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await target?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    }
    await source?.end();
    await target?.end();
  });

  const pipeline = async (name: string) => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    const db = uniqueName(`iso_${name}`);
    const prefix = uniqueName(name.slice(0, 4));
    dbs.push(db);
    source ??= await connect(s.sourceUrl);
    const load = new VersionLoad(s.sourceUrl, db, 300);
    loads.push(load);
    await load.createTable();
    const capture = ownCapture(s, { name: `capture-${name}`, prefix, include: [`${db}.*`] });
    const sink = ownSink(s, { name: `sink-${prefix}`, prefix, targetUrl: mariadb.url });
    services.push(capture, sink);
    await capture.start();
    await sink.start();
    return { db, load, sink };
  };

  it('converges after the sink is killed with SIGKILL three times', async () => {
    const { db, load, sink } = await pipeline('sinkkill');
    load.start(2);
    for (let i = 0; i < 3; i++) {
      await pause(1_500 + Math.random() * 3_000);
      await sink.kill9();
      await pause(Math.random() * 1_000);
      await sink.start();
    }
    await pause(1_000);
    await load.stop();
    target ??= await connect(mariadb?.url ?? '');
    const r = await expectConverged({
      source: source as mysql.Connection,
      target,
      db,
      table: 'acct',
      columns: ['id', 'v', 'note'],
    });
    expect(r.target, sink.tail()).toEqual(r.source);
    expect(load.transactions).toBeGreaterThan(50);
    // SIGTERM: the batch in hand is applied and committed, then the process exits 0.
    expect(await sink.stop()).toBe(0);
  });

  it('waits out a target that is down for 30 s, then converges', async () => {
    const { db, load, sink } = await pipeline('outage');
    load.start(1);
    await pause(2_000);
    const { execFileSync } = await import('node:child_process');
    await target?.end();
    target = undefined;
    execFileSync('bash', [here, 'stop', 'target-mariadb'], { stdio: 'ignore' });
    await pause(30_000);
    execFileSync('bash', [here, 'start', 'target-mariadb'], { stdio: 'ignore' });
    await pause(2_000);
    await load.stop();
    expect(sink.log(), 'the sink waited and retried').toMatch(/target write failed; retrying/);
    const exitCode = (sink as unknown as { child?: { exitCode: number | null } }).child?.exitCode;
    expect(exitCode ?? null, 'the sink did not exit').toBeNull();
    target = await connect(mariadb?.url ?? '');
    const r = await expectConverged({
      source: source as mysql.Connection,
      target,
      db,
      table: 'acct',
      columns: ['id', 'v', 'note'],
    });
    expect(r.target, sink.tail()).toEqual(r.source);
  });
});
