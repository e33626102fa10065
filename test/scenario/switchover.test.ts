import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { freePort, ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName } from '../support/stack.ts';

/**
 * Issue 15: active/standby switchover. Load on A with A -> B running; `sluice switchover` to B;
 * load on B with B -> A running; switch back; load on A again. At each step both sides hold the
 * same rows, and no row the sinks wrote is captured back (the tables would diverge or the
 * counters double). MariaDB (binlog capture) <-> TiDB (query capture), and TiDB <-> TiDB (two
 * databases of the stack's TiDB standing for two clusters, mapped by the sinks' routes).
 */
const s = stack();
const tidb = s.targets.find((t) => t.name === 'tidb');

interface Side {
  url: string;
  db: string;
  /** How its capture reads it. */
  source: Record<string, unknown>;
  /** The sink kind that writes into it. */
  kind: string;
}

const cases = () => {
  if (!tidb) throw new Error('the stack has no TiDB');
  const db = uniqueName('iso_sw');
  const query = { kind: 'tidb', query: { intervalMs: 300 } };
  return [
    {
      name: 'MariaDB <-> TiDB',
      a: { url: s.sourceUrl, db, source: { serverId: 56000 + (process.pid % 500) }, kind: 'mariadb' },
      b: { url: tidb.url, db, source: query, kind: 'tidb' },
    },
    {
      name: 'TiDB <-> TiDB',
      a: { url: tidb.url, db: `${db}_a`, source: query, kind: 'tidb' },
      b: { url: tidb.url, db: `${db}_b`, source: query, kind: 'tidb' },
    },
  ] as { name: string; a: Side; b: Side }[];
};

describe.each(cases())('sluice switchover, $name', ({ a: A, b: B }) => {
  const fwdPrefix = uniqueName('swf');
  const revPrefix = uniqueName('swr');
  const services: ServiceProcess[] = [];
  let a: mysql.Connection | undefined;
  let b: mysql.Connection | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await a?.query(`DROP DATABASE IF EXISTS \`${A.db}\``);
    await a?.query(`DROP DATABASE IF EXISTS \`${A.db}_sluice\``);
    await b?.query(`DROP DATABASE IF EXISTS \`${B.db}\``);
    await a?.end();
    await b?.end();
  });

  it('moves the primary to B and back, both sides equal at each step', async () => {
    const common = { kafka: { brokers: s.kafkaBrokers }, schemaRegistry: { url: s.registryUrl } };
    const capture = (prefix: string, side: Side) => ({
      ...common,
      captureId: prefix,
      source: { url: side.url, ...side.source },
      topicPrefix: prefix,
      tables: { include: [`${side.db}.*`] },
    });
    const sink = (prefix: string, from: Side, to: Side, extra: Record<string, unknown> = {}) => ({
      ...common,
      sinkName: `${prefix}-sink`,
      target: { url: to.url, kind: to.kind },
      topicPrefix: prefix,
      topicRefreshMs: 500,
      routes: from.db === to.db ? [] : [{ from: `${from.db}.*`, to: `${to.db}.*` }],
      ...extra,
    });
    const fwdCapture = capture(fwdPrefix, A);
    const fwdSink = sink(fwdPrefix, A, B);
    const revCapture = capture(revPrefix, B);
    // Its side tables in a database of the test's own (the stack's capture of A leaves iso_* alone).
    const revSink = sink(revPrefix, B, A, { checkpointSchema: `${A.db}_sluice` });
    const files = {
      fwdCapture: configFile('sw-fc', fwdCapture),
      fwdSink: configFile('sw-fs', fwdSink),
      revCapture: configFile('sw-rc', revCapture),
      revSink: configFile('sw-rs', revSink),
    };
    const fc = new ServiceProcess('capture', 'sw-fwd-capture', fwdCapture, freePort());
    const fs = new ServiceProcess('sink', 'sw-fwd-sink', fwdSink, freePort());
    const rc = new ServiceProcess('capture', 'sw-rev-capture', revCapture, freePort());
    const rs = new ServiceProcess('sink', 'sw-rev-sink', revSink, freePort());
    services.push(fc, fs, rc, rs);

    a = await connect(A.url);
    b = await connect(B.url);
    await a.query(`CREATE DATABASE \`${A.db}\``);
    await a.query(
      `CREATE TABLE \`${A.db}\`.acct (id INT PRIMARY KEY, v INT NOT NULL, who VARCHAR(8) NOT NULL,
         changed TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`,
    );
    await a.query(`INSERT INTO \`${A.db}\`.acct (id, v, who) VALUES ?`, [Array.from({ length: 20 }, (_, i) => [i + 1, 0, 'a'])]);
    const load = async (c: mysql.Connection, db: string, who: string, from: number) => {
      const t = `\`${db}\`.acct`;
      for (let i = 0; i < 20; i++) {
        await c.query(`UPDATE ${t} SET v = v + 1, who = ? WHERE id = ?`, [who, 1 + ((from + i) % 20)]);
        await c.query(`INSERT INTO ${t} (id, v, who) VALUES (?, 0, ?)`, [from * 100 + i, who]);
      }
      await c.query(`DELETE FROM ${t} WHERE id = ?`, [from * 100]);
    };
    // The side written last is the truth; the other must come to hold the same rows.
    const equal = async (what: string, written: [mysql.Connection, string], other: [mysql.Connection, string]) => {
      const r = await expectConverged({
        source: written[0],
        db: written[1],
        target: other[0],
        targetDb: other[1],
        table: 'acct',
        columns: ['id', 'v', 'who'],
      });
      expect(r.target, `${what}\n${fc.tail()}\n${rc.tail()}`).toEqual(r.source);
      return r.source.length;
    };
    const switchover = (from: 'fwd' | 'rev', extra: string[]) => {
      const [fromCap, fromSink, toCap, toSink] =
        from === 'fwd'
          ? [files.fwdCapture, files.fwdSink, files.revCapture, files.revSink]
          : [files.revCapture, files.revSink, files.fwdCapture, files.fwdSink];
      return sluice([
        'switchover',
        '--from-capture-config',
        fromCap,
        '--from-sink-config',
        fromSink,
        '--to-capture-config',
        toCap,
        '--to-sink-config',
        toSink,
        '--timeout-s',
        '60',
        ...extra,
      ]);
    };
    const sideA: [mysql.Connection, string] = [a, A.db];
    const sideB: [mysql.Connection, string] = [b, B.db];

    // A -> B: snapshot, then load on A.
    await fc.start();
    await fs.start();
    await load(a, A.db, 'a', 1);
    await equal('A -> B', sideA, sideB);

    // A still writable and no --writes-stopped: refused, nothing stopped.
    const refused = await switchover('fwd', []);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toContain('SWITCHOVER_REFUSED');
    expect(fc.pid).toBeDefined();

    const dry = await switchover('fwd', ['--writes-stopped', '--dry-run']);
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toContain('switchover plan: primary moves from A to B');

    const toB = await switchover('fwd', ['--writes-stopped', '--stop-command', `kill ${fc.pid} ${fs.pid}`]);
    expect(toB.code, toB.stdout + toB.stderr).toBe(0);
    expect(toB.stdout).toContain('B holds what A holds');
    await rc.start();
    await rs.start();
    await load(b, B.db, 'b', 2);
    const rowsAfterB = await equal('B -> A', sideB, sideA);

    const toA = await switchover('rev', ['--writes-stopped', '--stop-command', `kill ${rc.pid} ${rs.pid}`]);
    expect(toA.code, toA.stdout + toA.stderr).toBe(0);
    await fc.start();
    await fs.start();
    await load(a, A.db, 'a', 3);
    const rowsAfterA = await equal('A -> B again', sideA, sideB);
    expect(rowsAfterA).toBe(rowsAfterB + 19);
    // Nothing echoed: every update ran once, so v sums to the updates made (20 per load).
    const [[{ total }]] = (await a.query(`SELECT SUM(v) AS total FROM \`${A.db}\`.acct`)) as unknown as [[{ total: string }]];
    expect(Number(total)).toBe(60);
  });
});
