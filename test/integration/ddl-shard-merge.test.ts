import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * Shard merges (two source tables routed into one target table), DM's way: an additive change
 * (a defaulted column) is made at the first shard, once; a dropped column goes once every shard
 * dropped it (the shards' rows flow meanwhile); a changed column holds the shard that changed it,
 * naming the other, while the other goes on, and is made once both have it. MariaDB and TiDB.
 */
const s = stack();
const targets = ['mariadb', 'tidb'].map((name) => {
  const t = s.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no ${name} target in the stack`);
  return t;
});

describe('DDL on shards of a merged table', () => {
  const services: ServiceProcess[] = [];
  const db = uniqueName('iso_dhshard');
  const merged = `${db}_m`;
  let source: mysql.Connection;
  const conns: mysql.Connection[] = [];

  afterAll(async () => {
    for (const p of services) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    for (const c of conns) {
      await c.query(`DROP DATABASE IF EXISTS \`${merged}\``).catch(() => undefined);
      await c.query('DELETE FROM _sluice.ddl_decisions WHERE target_db = ?', [merged]).catch(() => undefined);
    }
    await source?.end();
    for (const c of conns) await c.end();
  });

  it('adds at the first shard, drops and changes once every shard has', async () => {
    source = await connect(s.sourceUrl);
    const prefix = uniqueName('dhsh');
    await source.query(`CREATE DATABASE \`${db}\``);
    const q = (sql: string) => source.query(sql.replaceAll('$db', `\`${db}\``));
    for (const t of ['o_0', 'o_1']) await q(`CREATE TABLE $db.${t} (id INT PRIMARY KEY, a INT, b INT)`);
    await q('INSERT INTO $db.o_0 VALUES (1, 1, 1)');
    await q('INSERT INTO $db.o_1 VALUES (2, 2, 2)');
    const capture = ownCapture(s, { name: 'capture-dhshard', prefix, include: [`${db}.*`] });
    services.push(capture);
    await capture.start();
    const routes = [{ from: `${db}.o_*`, to: `${merged}.orders` }];
    const sinks: { name: string; proc: ServiceProcess; conn: mysql.Connection; cfg: string }[] = [];
    for (const t of targets) {
      const proc = ownSink(s, { name: `sink-${prefix}-${t.name}`, prefix, targetUrl: t.url, kind: t.name, extra: { routes } });
      services.push(proc);
      const conn = await connect(t.url);
      conns.push(conn);
      const cfg = configFile(`sink-${prefix}-${t.name}`, {
        sinkName: `sink-${prefix}-${t.name}`,
        target: { url: t.url, kind: t.name },
        kafka: { brokers: s.kafkaBrokers },
        schemaRegistry: { url: s.registryUrl },
        topicPrefix: prefix,
      });
      sinks.push({ name: t.name, proc, conn, cfg });
    }
    for (const k of sinks) await k.proc.start();

    const ids = async (c: mysql.Connection) => {
      const [rows] = await c.query(`SELECT id FROM \`${merged}\`.orders ORDER BY id`).catch(() => [[]]);
      return (rows as { id: number }[]).map((r) => r.id);
    };
    const columns = async (c: mysql.Connection) => {
      const [rows] = await c.query(
        'SELECT COLUMN_NAME AS n, DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [merged, 'orders'],
      );
      return (rows as { n: string; t: string }[]).map((r) => `${r.n} ${r.t}`);
    };
    const hasRows = (...want: number[]) =>
      Promise.all(
        sinks.map((k) =>
          waitFor(`rows ${want.join(',')} in ${k.name}`, async () => {
            const got = await ids(k.conn);
            return want.every((i) => got.includes(i)) ? true : undefined;
          }),
        ),
      );
    /** How many times the sink changed the merged table. */
    const evolved = (k: (typeof sinks)[number]) =>
      k.proc
        .log()
        .split('\n')
        .filter((l) => l.includes('"msg":"target table evolved"') && l.includes(`${merged}.orders`)).length;

    await hasRows(1, 2);

    // 1. A defaulted column: added at the first shard, once; the other shard's rows keep flowing.
    await q('ALTER TABLE $db.o_0 ADD COLUMN c INT DEFAULT 5');
    await q('INSERT INTO $db.o_0 VALUES (3, 3, 3, 7)');
    await hasRows(3);
    await q('INSERT INTO $db.o_1 VALUES (4, 4, 4)');
    await hasRows(4);
    await q('ALTER TABLE $db.o_1 ADD COLUMN c INT DEFAULT 5');
    await q('INSERT INTO $db.o_1 VALUES (5, 5, 5, 8)');
    await hasRows(5);
    for (const k of sinks) {
      expect(await columns(k.conn), k.name).toEqual(['id int', 'a int', 'b int', 'c int']);
      expect(evolved(k), k.proc.tail()).toBe(1);
    }

    // 2. DROP COLUMN on one shard: the merged table keeps b (the other shard has it) and says so.
    await q('ALTER TABLE $db.o_0 DROP COLUMN b');
    await q('INSERT INTO $db.o_0 VALUES (6, 6, 9)');
    await hasRows(6);
    for (const k of sinks) {
      expect(await columns(k.conn), k.name).toEqual(['id int', 'a int', 'b int', 'c int']);
      expect(k.proc.log()).toContain(`"kept":["b (still in ${db}.o_1)"]`);
    }
    // ... and drops it once the other shard has dropped it too.
    await q('ALTER TABLE $db.o_1 DROP COLUMN b');
    await q('INSERT INTO $db.o_1 VALUES (7, 7, 10)');
    await hasRows(7);
    for (const k of sinks) {
      await waitFor(`b dropped in ${k.name}`, async () => ((await columns(k.conn)).length === 3 ? true : undefined));
      expect(await columns(k.conn)).toEqual(['id int', 'a int', 'c int']);
      expect(evolved(k), k.proc.tail()).toBe(2);
    }

    // 3. A changed column holds the shard that changed it (naming the other), not the other shard.
    await q('ALTER TABLE $db.o_0 MODIFY a BIGINT');
    await q('INSERT INTO $db.o_0 VALUES (8, 8000000000, 11)');
    await q('INSERT INTO $db.o_1 VALUES (9, 9, 12)');
    await hasRows(9);
    for (const k of sinks) {
      await k.proc.waitLog(/"code":"SHARD_DDL_PENDING".*shard held: /);
      expect(k.proc.log()).toContain(
        `shard ${db}.o_0 reached a change the merged table takes only once every shard has (change column a); shards not there yet: ${db}.o_1`,
      );
      expect(await ids(k.conn)).not.toContain(8);
      expect(await columns(k.conn)).toContain('a int');
      // sluice status and ddl list show the held shard.
      const status = await sluice(['status', '--sink-config', k.cfg, '--json']);
      const report = JSON.parse(status.stdout) as { sinks: { reason: string; ddlPending?: { kind: string }[] }[] };
      expect(report.sinks[0]?.reason, status.stderr).toContain(
        `SHARD_DDL_PENDING: shard ${db}.o_0 held until the other shards of ${merged}.orders reach its change`,
      );
      expect(report.sinks[0]?.ddlPending).toMatchObject([{ kind: 'held' }]);
      const list = await sluice(['ddl', 'list', '--sink-config', k.cfg]);
      expect(list.code, list.stderr).toBe(1);
      expect(list.stdout).toContain('held');
    }
    await q('ALTER TABLE $db.o_1 MODIFY a BIGINT');
    await q('INSERT INTO $db.o_1 VALUES (10, 10, 13)');
    await hasRows(8, 10);
    for (const k of sinks) {
      expect(await columns(k.conn)).toEqual(['id int', 'a bigint', 'c int']);
      expect(evolved(k), k.proc.tail()).toBe(3);
      await k.proc.waitLog(/shard released/);
      // The hold is over: nothing left in ddl_decisions.
      const list = await sluice(['ddl', 'list', '--sink-config', k.cfg, '--json']);
      expect(list.code, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([]);
      const [rows] = await k.conn.query(`SELECT id, a, c FROM \`${merged}\`.orders ORDER BY id`);
      expect(
        (rows as { id: number; a: unknown; c: number }[]).map((r) => `${r.id}:${r.a}:${r.c}`),
        k.name,
      ).toEqual(['1:1:5', '2:2:5', '3:3:7', '4:4:5', '5:5:8', '6:6:9', '7:7:10', '8:8000000000:11', '9:9:12', '10:10:13']);
    }
  });
});
