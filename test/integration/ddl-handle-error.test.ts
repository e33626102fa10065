import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * DM's handle-error for sinks: a DDL the target refuses stops the sink (DDL_REJECTED, even under
 * onError: dlq) naming the statement; `sluice ddl skip` or `sluice ddl replace` records the
 * decision in the target, and the restarted sink goes on with it. Both targets: MariaDB and TiDB.
 * The refusal is made by hand: a target-only table with a foreign key to the column the source drops.
 */
const s = stack();
const targets = ['mariadb', 'tidb'].map((name) => {
  const t = s.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no ${name} target in the stack`);
  return t;
});

describe('DDL a target rejects: skip / replace', () => {
  const services: ServiceProcess[] = [];
  const dbs: string[] = [];
  let source: mysql.Connection;
  const conns = new Map<string, mysql.Connection>();

  const sinkNames: string[] = [];

  afterAll(async () => {
    for (const p of services) await p.stop();
    // The sinks' decisions live in the shared target's _sluice schema: this test's go with it.
    for (const c of conns.values()) {
      for (const n of sinkNames) await c.query('DELETE FROM _sluice.ddl_decisions WHERE sink = ?', [n]).catch(() => undefined);
    }
    for (const db of dbs) {
      await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
      for (const c of conns.values()) await c.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    }
    await source?.end();
    for (const c of conns.values()) await c.end();
  });

  /** Capture + one sink per target, the table replicated, then the target refusing DROP COLUMN a. */
  const refusedDrop = async (name: string) => {
    source ??= await connect(s.sourceUrl);
    for (const t of targets) if (!conns.has(t.name)) conns.set(t.name, await connect(t.url));
    const db = uniqueName(`iso_dh${name}`);
    dbs.push(db);
    const prefix = uniqueName(`dh${name}`);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, a VARCHAR(10), v INT)`);
    await source.query(`INSERT INTO \`${db}\`.t VALUES (1, 'x', 1)`);
    const capture = ownCapture(s, { name: `capture-dh${name}`, prefix, include: [`${db}.*`] });
    services.push(capture);
    await capture.start();
    const sinks = targets.map((t) => {
      const sinkName = `sink-${prefix}-${t.name}`;
      sinkNames.push(sinkName);
      const config = {
        sinkName,
        target: { url: t.url, kind: t.name },
        kafka: { brokers: s.kafkaBrokers },
        schemaRegistry: { url: s.registryUrl },
        topicPrefix: prefix,
      };
      // onError dlq: a refused DDL stops the sink all the same.
      const proc = ownSink(s, { name: sinkName, prefix, targetUrl: t.url, kind: t.name, extra: { onError: 'dlq' } });
      services.push(proc);
      return { target: t, name: sinkName, proc, cfg: configFile(sinkName, config), conn: conns.get(t.name) as mysql.Connection };
    });
    for (const k of sinks) await k.proc.start();
    for (const k of sinks) {
      await waitFor(`row 1 in ${k.target.name}`, async () => {
        const [rows] = await k.conn.query(`SELECT id FROM \`${db}\`.t`);
        return (rows as unknown[]).length === 1 ? true : undefined;
      });
      await k.conn.query(`CREATE INDEX ia ON \`${db}\`.t (a)`);
      // The referencing column must match a's charset and collation exactly (TiDB checks).
      const [[a]] = (await k.conn.query(
        'SELECT CHARACTER_SET_NAME AS cs, COLLATION_NAME AS co FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?',
        [db, 't', 'a'],
      )) as unknown as [{ cs: string; co: string }[]];
      await k.conn.query(
        `CREATE TABLE \`${db}\`.o (x VARCHAR(10) CHARACTER SET ${a?.cs} COLLATE ${a?.co}, FOREIGN KEY (x) REFERENCES \`${db}\`.t (a))`,
      );
    }
    await source.query(`ALTER TABLE \`${db}\`.t DROP COLUMN a`);
    await source.query(`INSERT INTO \`${db}\`.t VALUES (2, 2)`);
    for (const k of sinks) {
      const code = await Promise.race([k.proc.waitExit(), new Promise((r) => setTimeout(() => r('running'), 90_000))]);
      expect(code, k.proc.tail()).toBe(1);
      const stop = k.proc.log();
      expect(stop).toMatch(/"code":"DDL_REJECTED"/);
      expect(stop).toContain(`sink ${k.name}: target table ${db}.t cannot follow source table ${db}.t (change at `);
      expect(stop).toContain(`ALTER TABLE \`${db}\`.\`t\` DROP COLUMN \`a\` failed:`);
      expect(stop).toMatch(/foreign key constraint/);
      expect(stop).toContain(`sluice ddl skip --sink ${k.name} --table '${db}.t' --id `);
      expect(stop).not.toMatch(/dead letter|"code":"TARGET_REJECTED"/i);
      // sluice status names the stop and what to do.
      const status = await sluice(['status', '--sink-config', k.cfg, '--json']);
      const report = JSON.parse(status.stdout) as { sinks: { error: boolean; reason: string; ddlPending?: unknown[] }[] };
      expect(report.sinks[0]?.error, status.stderr).toBe(true);
      expect(report.sinks[0]?.reason).toMatch(
        new RegExp(`^DDL_REJECTED: the target refused DDL [0-9a-f]{16} of ${db}\\.t: sluice ddl list`),
      );
      expect(report.sinks[0]?.ddlPending).toHaveLength(1);
      const list = await sluice(['ddl', 'list', '--sink-config', k.cfg]);
      expect(list.code, list.stderr).toBe(1);
      expect(list.stdout).toMatch(/pending/);
      expect(list.stdout).toContain(`refused: ALTER TABLE \`${db}\`.\`t\` DROP COLUMN \`a\``);
    }
    return { db, sinks };
  };

  const targetRows = async (c: mysql.Connection, db: string) => {
    const [rows] = await c.query(`SELECT * FROM \`${db}\`.t ORDER BY id`);
    return rows as Record<string, unknown>[];
  };

  it('skip: the restarted sink leaves the table as it is and writes the columns it has', async () => {
    const { db, sinks } = await refusedDrop('skip');
    for (const k of sinks) {
      const skip = await sluice(['ddl', 'skip', '--sink-config', k.cfg, '--table', `${db}.t`]);
      expect(skip.code, skip.stderr).toBe(0);
      expect(skip.stdout).toMatch(/will be skipped; restart the sink/);
      await k.proc.start();
    }
    await source.query(`INSERT INTO \`${db}\`.t VALUES (3, 3)`);
    for (const k of sinks) {
      const rows = await waitFor(`rows 1-3 in ${k.target.name}`, async () => {
        const r = await targetRows(k.conn, db);
        return r.length === 3 ? r : undefined;
      });
      // The target kept column a (its foreign key needs it); new rows have it NULL.
      expect(rows, k.proc.tail()).toEqual([
        { id: 1, a: 'x', v: 1 },
        { id: 2, a: null, v: 2 },
        { id: 3, a: null, v: 3 },
      ]);
      const list = await sluice(['ddl', 'list', '--sink-config', k.cfg, '--json']);
      expect(list.code, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout)).toMatchObject([{ action: 'skip', targetDb: db, targetTable: 't' }]);
    }
  });

  it('fixed by hand: the restarted sink makes the change and clears the pending row', async () => {
    const { db, sinks } = await refusedDrop('fix');
    for (const k of sinks) {
      await k.conn.query(`DROP TABLE \`${db}\`.o`);
      await k.proc.start();
    }
    for (const k of sinks) {
      const rows = await waitFor(`rows 1-2 in ${k.target.name}`, async () => {
        const r = await targetRows(k.conn, db);
        return r.length === 2 ? r : undefined;
      });
      expect(rows, k.proc.tail()).toEqual([
        { id: 1, v: 1 },
        { id: 2, v: 2 },
      ]);
      const list = await sluice(['ddl', 'list', '--sink-config', k.cfg, '--json']);
      expect(list.code, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([]);
    }
  });

  it('replace: the restarted sink runs the operator statements instead, once, then writes the rows', async () => {
    const { db, sinks } = await refusedDrop('repl');
    for (const k of sinks) {
      const replace = await sluice([
        'ddl',
        'replace',
        '--sink-config',
        k.cfg,
        '--table',
        `${db}.t`,
        '--sql',
        `DROP TABLE \`${db}\`.o`,
        '--sql',
        `ALTER TABLE \`${db}\`.t DROP COLUMN a, ADD COLUMN note VARCHAR(20) DEFAULT 'replaced';`,
      ]);
      expect(replace.code, replace.stderr).toBe(0);
      await k.proc.start();
    }
    for (const k of sinks) {
      const rows = await waitFor(`rows 1-2 in ${k.target.name}`, async () => {
        const r = await targetRows(k.conn, db);
        return r.length === 2 ? r : undefined;
      });
      expect(rows, k.proc.tail()).toEqual([
        { id: 1, v: 1, note: 'replaced' },
        { id: 2, v: 2, note: 'replaced' },
      ]);
      const [o] = await k.conn.query(`SHOW TABLES FROM \`${db}\` LIKE 'o'`);
      expect(o).toEqual([]);
      const list = await sluice(['ddl', 'list', '--sink-config', k.cfg, '--json']);
      const [d] = JSON.parse(list.stdout) as { action: string; appliedAt: string | null; statements: string[] }[];
      expect(d?.action).toBe('replace');
      expect(d?.appliedAt).not.toBeNull();
      expect(d?.statements).toHaveLength(2);
    }
    // A restart does not run the replacement again (it would fail: o is gone).
    await source.query(`INSERT INTO \`${db}\`.t VALUES (3, 3)`);
    for (const k of sinks) {
      await k.proc.stop();
      await k.proc.start();
      await waitFor(`row 3 in ${k.target.name}`, async () => ((await targetRows(k.conn, db)).length === 3 ? true : undefined));
    }
  });
});
