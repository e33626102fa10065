import { createKafka, createLogger, tableTopic } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName, waitFor } from '../support/stack.ts';
import { waitForEndOffset } from '../support/topics.ts';

/**
 * Issue 11, handle-error for DDL markers: a partition statement the target cannot take
 * (PARTITION_DDL_UNSUPPORTED) and a rename onto a name the target already has
 * (TARGET_RENAME_CONFLICT) stop the sink with a decision id; `sluice ddl skip|replace` and a
 * restart go on past them; a rename that never comes is RENAME_NOT_APPLIED and can be skipped.
 * And several partitions per topic: rows written right after a TRUNCATE are not removed by a
 * partition that reaches the TRUNCATE later (the barrier), and a partition behind does not take
 * the target back to an older layout. MariaDB source and target; each case its own capture,
 * sink, prefix and iso_ database, so the cases run at once (they wait on services, not on CPU).
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb');

describe.concurrent('DDL markers: skip / replace, renames never applied, several partitions per topic', () => {
  const dbs: string[] = [];
  const sinkNames: string[] = [];
  let source: mysql.Connection;
  let target: mysql.Connection;

  beforeAll(async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
  });

  afterAll(async () => {
    for (const n of sinkNames) {
      await target?.query('DELETE FROM _sluice.ddl_decisions WHERE sink = ?', [n]).catch(() => undefined);
      await target?.query('DELETE FROM _sluice.checkpoints WHERE sink = ?', [n]).catch(() => undefined);
    }
    for (const db of dbs) {
      await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await target?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    }
    await source?.end();
    await target?.end();
  });

  /**
   * A database, a capture of it and a sink (not started), with a config file for the CLI. Two
   * cores for everyone: the case's processes go when it finishes.
   */
  const pipeline = async (
    ctx: TestContext,
    tag: string,
    extra: { capture?: Record<string, unknown>; sink?: Record<string, unknown> } = {},
  ) => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    const db = uniqueName(`iso_dmd${tag}`);
    const prefix = uniqueName(`dmd${tag}`);
    dbs.push(db);
    await source.query(`CREATE DATABASE \`${db}\``);
    const capture = ownCapture(s, { name: `capture-${prefix}`, prefix, include: [`${db}.*`], extra: extra.capture });
    const name = `sink-${prefix}`;
    sinkNames.push(name);
    const sink = ownSink(s, { name, prefix, targetUrl: mariadb.url, extra: { onError: 'dlq', ...extra.sink } });
    const cfg = configFile(name, {
      sinkName: name,
      target: { url: mariadb.url, kind: 'mariadb' },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
    });
    ctx.onTestFinished(async () => {
      await Promise.all([capture.stop(), sink.stop()]);
    });
    return { db, prefix, capture, sink, name, cfg, q: (t: string) => `\`${db}\`.\`${t}\`` };
  };

  const ids = async (db: string, table: string) => {
    const [rows] = await target.query(`SELECT id FROM \`${db}\`.\`${table}\` ORDER BY id`);
    return (rows as { id: number }[]).map((r) => r.id);
  };

  /**
   * The cases whose sink starts behind: waits until the table's topic holds at least `min`
   * records (every row change and DDL marker written), so that the sink finds all of it in Kafka
   * however slowly the capture runs next to the other cases.
   */
  const published = (p: { prefix: string; db: string }, table: string, min: number) =>
    waitForEndOffset({ brokers: s.kafkaBrokers, topic: tableTopic(p.prefix, p.db, table), min });

  const exited = (p: ServiceProcess) => Promise.race([p.waitExit(), new Promise((r) => setTimeout(() => r('running'), 90_000))]);

  it('PARTITION_DDL_UNSUPPORTED stops the sink with an id; sluice ddl skip and a restart go on with everything after it', async (ctx) => {
    const p = await pipeline(ctx, 'part');
    const { db, q, sink } = p;
    await source.query(
      `CREATE TABLE ${q('pt')} (id INT PRIMARY KEY, v VARCHAR(10)) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN (20))`,
    );
    await source.query(`INSERT INTO ${q('pt')} VALUES (1, 'a'), (11, 'b')`);
    // The target's table partitioned otherwise (by hand): a MAXVALUE partition refuses ADD PARTITION.
    await target.query(`CREATE DATABASE \`${db}\``);
    await target.query(
      `CREATE TABLE ${q('pt')} (id INT PRIMARY KEY, v VARCHAR(10)) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10), PARTITION pmax VALUES LESS THAN MAXVALUE)`,
    );
    await p.capture.start();
    await p.capture.waitLog(/"msg":"capture streaming"/);
    await sink.start();
    await waitFor('rows before the statement', async () => ((await ids(db, 'pt')).length === 2 ? true : undefined));
    await source.query(`ALTER TABLE ${q('pt')} ADD PARTITION (PARTITION p2 VALUES LESS THAN (30))`);
    await source.query(`INSERT INTO ${q('pt')} VALUES (21, 'c'), (2, 'd')`);

    expect(await exited(sink), sink.tail()).toBe(1);
    const log = sink.log();
    expect(log).toMatch(/"code":"PARTITION_DDL_UNSUPPORTED"/);
    expect(log).toMatch(
      /a partition statement cannot be applied to target table iso_dmdpart\w*\.pt \(change at [^,]+, DDL [0-9a-f]{16}\): ALTER TABLE .*ADD PARTITION/,
    );
    expect(log).toContain(`sluice ddl skip --sink ${p.name} --table '${db}.pt' --id `);
    expect(log).not.toMatch(/dead letter/i);
    const id = /DDL ([0-9a-f]{16})\)/.exec(log)?.[1];
    // The operator sees it: status names the code and the id; ddl list the statement and the target's error.
    const status = await sluice(['status', '--sink-config', p.cfg, '--json']);
    const report = JSON.parse(status.stdout) as { sinks: { error: boolean; reason: string }[] };
    expect(report.sinks[0]?.error, status.stderr).toBe(true);
    expect(report.sinks[0]?.reason).toContain(`PARTITION_DDL_UNSUPPORTED: the target refused DDL ${id} of ${db}.pt`);
    const list = await sluice(['ddl', 'list', '--sink-config', p.cfg]);
    expect(list.code, list.stderr).toBe(1);
    expect(list.stdout).toMatch(/refused: ALTER TABLE .*ADD PARTITION \(PARTITION p2 VALUES LESS THAN \(30\)\)/);
    expect(list.stdout).toMatch(/target error: PARTITION_DDL_UNSUPPORTED: .*MAXVALUE/i);
    // Rows before the statement are applied, none after it.
    expect(await ids(db, 'pt')).toEqual([1, 11]);

    const skip = await sluice(['ddl', 'skip', '--sink-config', p.cfg, '--table', `${db}.pt`]);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stdout).toContain(`DDL ${id} of ${db}.pt will be skipped`);
    await sink.start();
    await source.query(`INSERT INTO ${q('pt')} VALUES (22, 'e')`);
    await waitFor('every row after the skipped statement', async () =>
      JSON.stringify(await ids(db, 'pt')) === JSON.stringify([1, 2, 11, 21, 22]) ? true : undefined,
    ).catch(() => undefined);
    expect(await ids(db, 'pt'), sink.tail()).toEqual([1, 2, 11, 21, 22]);
    // Skipped loudly, and kept: the list still shows it, decided.
    expect(sink.log()).toMatch(/the operator skipped this DDL marker: a partition statement is NOT applied/);
    const after = await sluice(['ddl', 'list', '--sink-config', p.cfg, '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual([expect.objectContaining({ ddlId: id, action: 'skip' })]);
  }, 240_000);

  it('TARGET_RENAME_CONFLICT stops the sink; sluice ddl replace drops the stale table and the rename goes through', async (ctx) => {
    const p = await pipeline(ctx, 'ren');
    const { db, q, sink } = p;
    await source.query(`CREATE TABLE ${q('t')} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`INSERT INTO ${q('t')} VALUES (1, 'a'), (2, 'b')`);
    await p.capture.start();
    await p.capture.waitLog(/"msg":"capture streaming"/);
    await sink.start();
    await waitFor('t in the target', async () => ((await ids(db, 't').catch(() => [])).length === 2 ? true : undefined));
    // A stale table of the new name, made by hand in the target.
    await target.query(`CREATE TABLE ${q('t2')} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await target.query(`INSERT INTO ${q('t2')} VALUES (99, 'stale')`);
    await source.query(`RENAME TABLE ${q('t')} TO ${q('t2')}`);
    await source.query(`INSERT INTO ${q('t2')} VALUES (3, 'c')`);

    expect(await exited(sink), sink.tail()).toBe(1);
    const log = sink.log();
    expect(log).toMatch(/"code":"TARGET_RENAME_CONFLICT"/);
    expect(log).toContain(`the rename of ${db}.t to ${db}.t2 cannot be applied to target table ${db}.t2`);
    expect(log).toContain(`the target has both ${db}.t and ${db}.t2`);
    const id = /DDL ([0-9a-f]{16})\)/.exec(log)?.[1];
    expect(id).toBeDefined();
    const list = await sluice(['ddl', 'list', '--sink-config', p.cfg]);
    expect(list.code).toBe(1);
    expect(list.stdout).toMatch(/refused: RENAME TABLE/);

    const replace = await sluice([
      'ddl',
      'replace',
      '--sink-config',
      p.cfg,
      '--table',
      `${db}.t2`,
      '--id',
      id as string,
      '--sql',
      `DROP TABLE ${q('t2')}`,
    ]);
    expect(replace.code, replace.stderr).toBe(0);
    await sink.start();
    await source.query(`INSERT INTO ${q('t2')} VALUES (4, 'd')`);
    const { source: want, target: got } = await expectConverged({ source, target, db, table: 't2', columns: ['id', 'v'] });
    expect(got, sink.tail()).toEqual(want);
    expect(got).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
    const [left] = await target.query('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db]);
    expect((left as { t: string }[]).map((r) => r.t)).toEqual(['t2']);
    expect(sink.log()).toMatch(/the operator's replacement stands in for this DDL marker: the rename of/);
  }, 240_000);

  it('TRUNCATE on a topic of 3 partitions: rows written right after it survive every partition, column by column', async (ctx) => {
    const p = await pipeline(ctx, 'trunc', { capture: { topics: { partitions: 3 } }, sink: { parallelism: 1 } });
    const { db, q, sink } = p;
    await source.query(`CREATE TABLE ${q('t')} (id INT PRIMARY KEY, v VARCHAR(10), n INT)`);
    const values = (from: number, to: number, tag: string) =>
      Array.from({ length: to - from + 1 }, (_, i) => `(${from + i}, '${tag}${from + i}', ${(from + i) * 7})`).join(', ');
    await source.query(`INSERT INTO ${q('t')} VALUES ${values(1, 30, 'a')}`);
    await p.capture.start();
    await p.capture.waitLog(/"msg":"capture streaming"/);
    await source.query(`UPDATE ${q('t')} SET n = n + 1 WHERE id % 3 = 0`);
    await source.query(`TRUNCATE TABLE ${q('t')}`);
    // Right after the TRUNCATE: rows on every partition (keys spread over them), some of them again.
    await source.query(`INSERT INTO ${q('t')} VALUES ${values(5, 40, 'b')}`);
    await source.query(`UPDATE ${q('t')} SET v = CONCAT(v, 'x') WHERE id % 4 = 0`);
    await source.query(`DELETE FROM ${q('t')} WHERE id % 10 = 0`);
    await source.query(`TRUNCATE TABLE ${q('t')}`);
    await source.query(`INSERT INTO ${q('t')} VALUES ${values(20, 50, 'c')}`);
    // 120 row changes (30 of the snapshot) and a marker per partition for each TRUNCATE.
    await published(p, 't', 120 + 2 * 3);
    // The sink starts with all of it in Kafka: it reads the partitions one after another, so
    // without the barrier a partition behind would empty the table after the others' new rows.
    await sink.start();
    const { source: want, target: got } = await expectConverged({ source, target, db, table: 't', columns: ['id', 'v', 'n'] });
    expect(got, sink.tail(30)).toEqual(want);
    expect(got).toHaveLength(31);
    // Converged and staying so (a late partition does not empty it afterwards).
    await new Promise((r) => setTimeout(r, 3_000));
    const { target: still } = await expectConverged({ source, target, db, table: 't', columns: ['id', 'v', 'n'] });
    expect(still).toEqual(want);
  }, 240_000);

  it('a rename whose marker never comes is RENAME_NOT_APPLIED after the bound, other tables go on, and ddl skip releases it', async (ctx) => {
    const p = await pipeline(ctx, 'wait', { sink: { renameWaitMs: 2_000 } });
    const { db, q, sink } = p;
    await source.query(`CREATE TABLE ${q('t')} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`CREATE TABLE ${q('u')} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`INSERT INTO ${q('t')} VALUES (1, 'a')`);
    await source.query(`INSERT INTO ${q('u')} VALUES (1, 'a')`);
    await p.capture.start();
    await p.capture.waitLog(/"msg":"capture streaming"/);
    await source.query(`RENAME TABLE ${q('t')} TO ${q('t2')}`);
    await source.query(`INSERT INTO ${q('t2')} VALUES (2, 'b')`);
    // The old name's marker is lost (its topic deleted): nothing will ever do the rename.
    await waitForEndOffset({ brokers: s.kafkaBrokers, topic: tableTopic(p.prefix, db, 't2'), min: 2 });
    const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test-admin', 'warn') });
    const admin = kafka.admin();
    await admin.connect();
    try {
      // (Table topics are compacted: their records cannot be deleted, the topic can.)
      await admin.deleteTopics({ topics: [tableTopic(p.prefix, db, 't')] });
    } finally {
      await admin.disconnect();
    }
    await sink.start();
    await sink.waitLog(/"code":"RENAME_NOT_APPLIED"/);
    expect(sink.log()).toContain(`rows of ${db}.t2 wait for the rename of ${db}.t to ${db}.t2`);
    const id = new RegExp(`--table '${db}\\.t2' --id ([0-9a-f]{16})`).exec(sink.log())?.[1];
    expect(id, sink.tail()).toBeDefined();
    // Other tables go on meanwhile.
    await source.query(`INSERT INTO ${q('u')} VALUES (2, 'b')`);
    await waitFor('u goes on', async () => ((await ids(db, 'u').catch(() => [])).length === 2 ? true : undefined));
    const status = await sluice(['status', '--sink-config', p.cfg, '--json']);
    const report = JSON.parse(status.stdout) as { sinks: { error: boolean; reason: string }[] };
    expect(report.sinks[0]?.error, status.stderr).toBe(true);
    expect(report.sinks[0]?.reason).toMatch(new RegExp(`^RENAME_NOT_APPLIED: sink ${p.name}: rows of ${db}\\.t2 wait`));
    const list = await sluice(['ddl', 'list', '--sink-config', p.cfg]);
    expect(list.code).toBe(1);
    expect(list.stdout).toMatch(/held/);

    // No restart needed: the waiting partition sees the decision at its next look.
    const skip = await sluice(['ddl', 'skip', '--sink-config', p.cfg, '--table', `${db}.t2`, '--id', id as string]);
    expect(skip.code, skip.stderr).toBe(0);
    await source.query(`INSERT INTO ${q('t2')} VALUES (3, 'c')`);
    await waitFor('t2 goes on', async () =>
      JSON.stringify(await ids(db, 't2').catch(() => [])) === '[2,3]' ? true : undefined,
    ).catch(() => undefined);
    expect(await ids(db, 't2'), sink.tail()).toEqual([2, 3]);
    expect(sink.log()).toMatch(/the operator decided \(skip\) on the wait for the rename/);
    const after = await sluice(['ddl', 'list', '--sink-config', p.cfg, '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual([expect.objectContaining({ ddlId: id, action: 'skip' })]);
  }, 240_000);

  it('a partition behind does not take the target back to an older layout: values of a new column survive', async (ctx) => {
    const p = await pipeline(ctx, 'old', { capture: { topics: { partitions: 2 } }, sink: { parallelism: 1 } });
    const { db, q, sink } = p;
    await source.query(`CREATE TABLE ${q('t')} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await p.capture.start();
    await p.capture.waitLog(/"msg":"capture streaming"/);
    const ids20 = Array.from({ length: 20 }, (_, i) => i + 1);
    await source.query(`INSERT INTO ${q('t')} VALUES ${ids20.map((i) => `(${i}, 'a${i}')`).join(', ')}`);
    await source.query(`ALTER TABLE ${q('t')} ADD COLUMN c INT NOT NULL DEFAULT 5`);
    // Rows of the new layout on both partitions, with values of c other than the default.
    await source.query(`INSERT INTO ${q('t')} VALUES ${ids20.map((i) => `(${i + 20}, 'b${i}', ${i * 10})`).join(', ')}`);
    await source.query(`UPDATE ${q('t')} SET c = id + 100 WHERE id <= 20`);
    // All of it in Kafka first: partition 0's new layout, then partition 1's old rows.
    await published(p, 't', 60 + 2);
    await sink.start();
    const { source: want, target: got } = await expectConverged({ source, target, db, table: 't', columns: ['id', 'v', 'c'] });
    expect(got, sink.tail(30)).toEqual(want);
  }, 240_000);

  it('columns added and widened while the sink is behind: every partition waits at each DDL, the target never goes back', async (ctx) => {
    const p = await pipeline(ctx, 'lay', { capture: { topics: { partitions: 2 } }, sink: { parallelism: 1 } });
    const { db, q, sink } = p;
    await source.query(`CREATE TABLE ${q('t')} (id INT PRIMARY KEY, v VARCHAR(4))`);
    await p.capture.start();
    await p.capture.waitLog(/"msg":"capture streaming"/);
    const ids20 = Array.from({ length: 20 }, (_, i) => i + 1);
    await source.query(`INSERT INTO ${q('t')} VALUES ${ids20.map((i) => `(${i}, 'a${i}')`).join(', ')}`);
    await source.query(`ALTER TABLE ${q('t')} MODIFY v VARCHAR(40)`);
    await source.query(`ALTER TABLE ${q('t')} ADD COLUMN c INT NOT NULL DEFAULT 9`);
    await source.query(
      `INSERT INTO ${q('t')} VALUES ${ids20.map((i) => `(${i + 20}, '${'w'.repeat(30)}${i}', ${i})`).join(', ')}`,
    );
    // All of it in Kafka before the sink reads: one partition's new layouts before the other's old rows.
    await published(p, 't', 40 + 2 * 2);
    await sink.start();
    const { source: want, target: got } = await expectConverged({ source, target, db, table: 't', columns: ['id', 'v', 'c'] });
    expect(got, sink.tail(30)).toEqual(want);
    // Without the barrier, the partition behind took v back to VARCHAR(4) for its old rows and
    // could not (the rows of the other partition no longer fit): the sink said so.
    expect(sink.log()).toMatch(/"msg":"partition waits for a table rename"/);
    expect(sink.log()).not.toMatch(/target rows do not fit these columns' new definitions yet/);
    expect(sink.log()).not.toMatch(/changed columns v -> `v` varchar\(4\)/);
    const [cols] = await target.query(
      'SELECT COLUMN_NAME AS n, COLUMN_TYPE AS t, COLUMN_DEFAULT AS d FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [db, 't'],
    );
    expect(cols).toEqual([
      { n: 'id', t: 'int(11)', d: null },
      { n: 'v', t: 'varchar(40)', d: 'NULL' },
      { n: 'c', t: 'int(11)', d: '9' },
    ]);
  }, 240_000);

  it.for([
    [1, 'live'],
    [2, 'live'],
    [1, 'backlog'],
  ] as const)(
    'a column dropped and added again with no row between (topics of %i partitions, capture %s): old rows get the new default',
    { timeout: 240_000 },
    async ([partitions, read], ctx) => {
      const p = await pipeline(ctx, `dra${partitions}${read[0]}`, {
        capture: { topics: { partitions } },
        sink: { parallelism: 1 },
      });
      const { db, q, sink } = p;
      await source.query(`CREATE TABLE ${q('t')} (id INT PRIMARY KEY, v VARCHAR(10), c INT NOT NULL DEFAULT 1)`);
      await p.capture.start();
      await p.capture.waitLog(/"msg":"capture streaming"/);
      const ids20 = Array.from({ length: 20 }, (_, i) => i + 1);
      await source.query(`INSERT INTO ${q('t')} VALUES ${ids20.map((i) => `(${i}, 'a${i}', 7)`).join(', ')}`);
      // Behind the source (a backlog, or a capture on a loaded machine), the capture reads the
      // DROP when the table of now already has the column again.
      const frozen = read === 'backlog' ? p.capture.pid : undefined;
      if (frozen) process.kill(frozen, 'SIGSTOP');
      // The source's old rows get c = 9 from the ADD; a target that kept its column would keep 7.
      await source.query(`ALTER TABLE ${q('t')} DROP COLUMN c`);
      await source.query(`ALTER TABLE ${q('t')} ADD COLUMN c INT NOT NULL DEFAULT 9`);
      await source.query(`INSERT INTO ${q('t')} VALUES ${ids20.map((i) => `(${i + 20}, 'b${i}', ${i})`).join(', ')}`);
      if (frozen) process.kill(frozen, 'SIGCONT');
      // All of it in Kafka before the sink reads (the sink behind).
      await p.capture.waitLog(/"msg":"table schema registered"/, 3);
      await sink.start();
      const { source: want, target: got } = await expectConverged({ source, target, db, table: 't', columns: ['id', 'v', 'c'] });
      expect(got, sink.tail(30)).toEqual(want);
      expect(p.capture.log()).not.toMatch(/columns dropped and added again with no row between/);
    },
  );
});
