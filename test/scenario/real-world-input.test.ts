import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Issue 10: what ordinary production databases hold must neither corrupt a record, stall the
 * capture nor differ silently. From each source (MariaDB, MySQL 8) into both targets: big rows
 * (a record past the old 64 KiB scratch, an UPDATE whose images pass 1 MiB, a 12 MB LONGBLOB),
 * ENUM error values written by a non-strict session, XA transactions (two-phase committed with
 * another transaction between PREPARE and COMMIT, rolled back, one-phase), and a table written after them. TiDB
 * refuses rows over its 6 MiB entry limit: that row goes to the sink's DLQ naming the reason and
 * everything else arrives. Then the cases that must stop the capture, each with its code and a
 * message naming the table: a record over maxRecordBytes (and that raising it resumes with nothing
 * lost), a declared key over a nullable column, a NULL in a key column at run time.
 */
const s = stack();
const sources = [{ name: 'mariadb', url: s.sourceUrl }, ...(s.mysql8Url ? [{ name: 'mysql8', url: s.mysql8Url }] : [])];
const MB = 1024 * 1024;

/** Every column of a table as digests (exact for any size: MD5 of the bytes, the length, the ENUM index). */
async function digest(conn: mysql.Connection, db: string, table: string, columns: string): Promise<string> {
  const [rows] = await conn.query({ sql: `SELECT ${columns} FROM \`${db}\`.\`${table}\` ORDER BY id`, rowsAsArray: true });
  // Servers differ in whether they send counts as numbers or text; the values must not.
  return JSON.stringify((rows as unknown[][]).map((r) => r.map((v) => (v === null ? null : String(v)))));
}

async function converge(source: mysql.Connection, target: mysql.Connection, db: string, table: string, columns: string) {
  const want = await digest(source, db, table, columns);
  await waitFor(`${db}.${table} to converge`, async () =>
    (await digest(target, db, table, columns).catch(() => '')) === want ? true : undefined,
  ).catch(() => undefined);
  expect(await digest(target, db, table, columns).catch((e) => String(e))).toBe(want);
}

const BIG = 'id, MD5(t), LENGTH(t), MD5(b), LENGTH(b)';
const ENUMS = 'id, e1, e1 + 0, e2, e2 + 0, s, s + 0';

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each(sources)('real-world rows from $name', ({ name, url }) => {
  const db = uniqueName(`iso_rw_${name}`);
  const prefix = uniqueName('rw');
  const services: ServiceProcess[] = [];
  const conns: mysql.Connection[] = [];

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    for (const c of conns) {
      if (!process.env.KEEP) await c.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
      await c.end();
    }
  });

  it('arrive exactly in every target that takes them, and a refused row never holds back the others', inOrder, async () => {
    const source = await connect(url);
    conns.push(source);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.big (id INT PRIMARY KEY, t LONGTEXT, b LONGBLOB)`);
    await source.query(`CREATE TABLE \`${db}\`.huge (id INT PRIMARY KEY, t LONGTEXT, b LONGBLOB)`);
    await source.query(
      `CREATE TABLE \`${db}\`.enums (id INT PRIMARY KEY, e1 ENUM('a','b') NOT NULL, e2 ENUM('a','it''s') NULL, s SET('x','y'))`,
    );
    await source.query(`CREATE TABLE \`${db}\`.later (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`CREATE TABLE \`${db}\`.xa (id INT PRIMARY KEY, v VARCHAR(10))`);
    // A snapshot row beyond the old encoder's scratch, before capture starts.
    await source.query(`INSERT INTO \`${db}\`.big VALUES (1, REPEAT('é', 130000), REPEAT(UNHEX('AB'), 60000))`);

    const capture = ownCapture(s, { name: `capture-rw-${name}`, prefix, sourceUrl: url, include: [`${db}.*`] });
    services.push(capture);
    await capture.start();
    const sinks = s.targets.map((t) =>
      ownSink(s, {
        name: `sink-${prefix}-${t.name}`,
        prefix,
        targetUrl: t.url,
        kind: t.name === 'tidb' ? 'tidb' : 'mariadb',
        extra: { onError: 'dlq' },
      }),
    );
    services.push(...sinks);
    for (const k of sinks) await k.start();

    // Streamed: 260 kB text + 60 kB blob (was published truncated), an UPDATE of a 600 kB row
    // (before + after over 1 MiB: failed every Kafka transaction), a 12 MB LONGBLOB (over
    // Kafka's default 1 MiB and TiDB's 6 MiB entry limit), each in its own table.
    await source.query(`INSERT INTO \`${db}\`.big VALUES (2, REPEAT('x', 260000), REPEAT(UNHEX('00FF'), 30000))`);
    await source.query(`INSERT INTO \`${db}\`.big VALUES (3, REPEAT('y', 600000), NULL)`);
    await source.query(`UPDATE \`${db}\`.big SET t = REPEAT('z', 600000), b = '' WHERE id = 3`);
    await source.query(`INSERT INTO \`${db}\`.huge VALUES (1, 'small', REPEAT(UNHEX('C0FFEE'), 4 * ${MB}))`);
    await source.query(`INSERT INTO \`${db}\`.huge VALUES (2, 'after the huge row', NULL)`);
    // ENUM error values: a non-strict session stores an invalid member as index 0 ('').
    await source.query("SET SESSION sql_mode = ''");
    await source.query(
      `INSERT INTO \`${db}\`.enums VALUES (1, 'nope', 'nope', 'x'), (2, 'a', NULL, ''), (3, 'b', 'it''s', 'x,y')`,
    );
    await source.query(`UPDATE \`${db}\`.enums SET e2 = 'still not' WHERE id = 3`);
    // XA: rows come at PREPARE, the outcome later and apart (were lost: taken for DDL and dropped).
    const other = await connect(url);
    conns.push(other);
    const xid = (n: string) => `'${prefix}-${n}'`;
    for (const sql of [`XA START ${xid('a')}`, `INSERT INTO \`${db}\`.xa VALUES (1, 'two-phase')`, `XA END ${xid('a')}`])
      await source.query(sql);
    await source.query(`XA PREPARE ${xid('a')}`);
    await other.query(`INSERT INTO \`${db}\`.xa VALUES (2, 'between')`);
    await source.query(`XA COMMIT ${xid('a')}`);
    for (const sql of [`XA START ${xid('b')}`, `INSERT INTO \`${db}\`.xa VALUES (3, 'rolled back')`, `XA END ${xid('b')}`])
      await source.query(sql);
    await source.query(`XA PREPARE ${xid('b')}`);
    await source.query(`XA ROLLBACK ${xid('b')}`);
    for (const sql of [`XA START ${xid('c')}`, `INSERT INTO \`${db}\`.xa VALUES (4, 'one phase')`, `XA END ${xid('c')}`])
      await source.query(sql);
    await source.query(`XA COMMIT ${xid('c')} ONE PHASE`);
    await source.query(`INSERT INTO \`${db}\`.later VALUES (1, 'one'), (2, 'two')`);

    const [[e]] = (await source.query(`SELECT e1 + 0 AS i1, e2 + 0 AS i2 FROM \`${db}\`.enums WHERE id = 1`)) as [
      { i1: number; i2: number }[],
      unknown,
    ];
    expect([e?.i1, e?.i2]).toEqual([0, 0]);

    for (const t of s.targets) {
      const target = await connect(t.url);
      conns.push(target);
      await converge(source, target, db, 'big', BIG);
      await converge(source, target, db, 'enums', ENUMS);
      await converge(source, target, db, 'later', 'id, v');
      await converge(source, target, db, 'xa', 'id, v');
      if (t.name === 'tidb') {
        // TiDB takes no row over txn-entry-size-limit: that one row is dead-lettered with the reason.
        const rows = JSON.parse(await digest(source, db, 'huge', BIG)) as unknown[][];
        await waitFor('the rows of huge TiDB takes', async () =>
          (await digest(target, db, 'huge', BIG).catch(() => '')) === JSON.stringify(rows.filter((r) => r[0] !== '1'))
            ? true
            : undefined,
        );
        const dlq = await readTopic({
          brokers: s.kafkaBrokers,
          registryUrl: s.registryUrl,
          topic: `${prefix}.dlq.sink-${prefix}-tidb`,
          expected: 1,
          raw: true,
          settleMs: 500,
        });
        expect(dlq).toHaveLength(1);
        expect(JSON.stringify(dlq[0]?.headers)).toMatch(/8025.*txn-entry-size-limit/);
      } else {
        await converge(source, target, db, 'huge', BIG);
      }
    }
    expect(capture.log()).not.toMatch(/"level":50/);
  });
});

describe.concurrent('records capture cannot carry stop it, naming them', () => {
  const db = uniqueName('iso_rw_stop');
  const services: ServiceProcess[] = [];
  let source: mysql.Connection | undefined;
  let target: mysql.Connection | undefined;
  const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await target?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    await source?.end();
    await target?.end();
  });

  it('a record over maxRecordBytes stops with RECORD_TOO_LARGE; raising it resumes with nothing lost', inOrder, async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.big (id INT PRIMARY KEY, b LONGBLOB)`);
    await source.query(`CREATE TABLE \`${db}\`.later (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`CREATE TABLE \`${db}\`.xa (id INT PRIMARY KEY, v VARCHAR(10))`);
    const prefix = uniqueName('rwcap');
    const config = { name: 'capture-rw-limit', prefix, include: [`${db}.big`, `${db}.later`] };
    const small = ownCapture(s, { ...config, extra: { maxRecordBytes: MB } });
    services.push(small);
    await small.start();
    await source.query(`INSERT INTO \`${db}\`.big VALUES (1, REPEAT('a', 1000))`);
    await source.query(`INSERT INTO \`${db}\`.big VALUES (2, REPEAT('b', ${MB + 1000}))`);
    await source.query(`INSERT INTO \`${db}\`.later VALUES (1, 'after')`);
    expect(await small.waitExit()).toBe(1);
    expect(small.log()).toMatch(
      new RegExp(
        `RECORD_TOO_LARGE.*${db}\\.big \\(key \\{\\\\"id\\\\":2\\}\\).*over maxRecordBytes \\(1048576\\): raise maxRecordBytes`,
      ),
    );
    // Raised: the same checkpoint, the big row and everything after it arrive (the topic made before is resized).
    const raised = ownCapture(s, { ...config, name: 'capture-rw-raised', extra: { maxRecordBytes: 4 * MB } });
    services.push(raised);
    await raised.start();
    const sink = ownSink(s, { name: `sink-${prefix}`, prefix, targetUrl: mariadb.url });
    services.push(sink);
    await sink.start();
    await converge(source, target, db, 'big', 'id, MD5(b), LENGTH(b)');
    await converge(source, target, db, 'later', 'id, v');
  });

  it('a declared key over a nullable column is refused at start-up; a NULL key at run time stops with KEY_NULL', async () => {
    source ??= await connect(s.sourceUrl);
    await source.query(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.nokey (u INT NULL, v INT)`);
    const refused = ownCapture(s, {
      name: 'capture-rw-nullkey',
      prefix: uniqueName('rwkey'),
      include: [`${db}.nokey`],
      extra: { keys: { [`${db}.nokey`]: ['u'] } },
    });
    services.push(refused);
    await expect(refused.start()).rejects.toThrow(/exited during start-up/);
    expect(await refused.waitExit()).toBe(2);
    expect(refused.log()).toMatch(new RegExp(`CONFIG_INVALID.*keys\\.\\\\"${db}\\.nokey\\\\": column u is nullable`));

    // Declared over NOT NULL columns, then made nullable and given a NULL: stop at that row.
    await source.query(`CREATE TABLE \`${db}\`.keyed (u INT NOT NULL, v INT)`);
    const capture = ownCapture(s, {
      name: 'capture-rw-keyrun',
      prefix: uniqueName('rwkey'),
      include: [`${db}.keyed`],
      extra: { keys: { [`${db}.keyed`]: ['u'] } },
    });
    services.push(capture);
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);
    await source.query(`INSERT INTO \`${db}\`.keyed VALUES (1, 1)`);
    await source.query(`ALTER TABLE \`${db}\`.keyed MODIFY u INT NULL`);
    await source.query(`INSERT INTO \`${db}\`.keyed VALUES (NULL, 2)`);
    expect(await capture.waitExit()).toBe(1);
    expect(capture.log()).toMatch(new RegExp(`KEY_NULL.*a row of ${db}\\.keyed has NULL in key column u`));
  });

  it.each(sources)(
    'rows a $name session logs without all columns stop capture naming them; with warn they are passed over and counted',
    async ({ name, url }) => {
      const conn = await connect(url);
      const pdb = uniqueName(`iso_rw_partial_${name}`);
      try {
        await conn.query(`CREATE DATABASE \`${pdb}\``);
        await conn.query(`CREATE TABLE \`${pdb}\`.t (id INT PRIMARY KEY, a INT, b TEXT)`);
        const prefix = uniqueName('rwpart');
        const config = { prefix, sourceUrl: url, include: [`${pdb}.*`] };
        const stopping = ownCapture(s, { ...config, name: `capture-rw-partial-${name}` });
        services.push(stopping);
        await stopping.start();
        await stopping.waitLog(/"msg":"capture streaming"/);
        await conn.query(`INSERT INTO \`${pdb}\`.t VALUES (1, 1, 'one'), (2, 2, 'two')`);
        await conn.query("SET SESSION binlog_row_image = 'MINIMAL'");
        await conn.query(`UPDATE \`${pdb}\`.t SET a = 10 WHERE id = 1`);
        await conn.query("SET SESSION binlog_row_image = 'FULL'");
        await conn.query(`UPDATE \`${pdb}\`.t SET a = 20 WHERE id = 2`);
        expect(await stopping.waitExit()).toBe(1);
        expect(stopping.log()).toMatch(
          new RegExp(`SOURCE_PARTIAL_ROW_IMAGE.*rows of ${pdb}\\.t at .*binlog_row_image MINIMAL or NOBLOB`),
        );

        // warn: the partial rows are passed over, logged and counted; what follows arrives.
        const going = ownCapture(s, {
          ...config,
          name: `capture-rw-partial-warn-${name}`,
          extra: { source: { onPartialRowImage: 'warn' } },
        });
        services.push(going);
        await going.start();
        await going.waitLog(/passed over \(source\.onPartialRowImage: warn\)/);
        const topic = await waitFor('the table topic', async () => {
          const records = await readTopic({
            brokers: s.kafkaBrokers,
            registryUrl: s.registryUrl,
            topic: `${prefix}.${pdb}.t`,
            expected: 3,
            settleMs: 500,
          });
          return records.length >= 3 ? records : undefined;
        });
        expect(topic.map((r) => (r.value?.after ?? null) as { id: number; a: number } | null).map((a) => [a?.id, a?.a])).toEqual([
          [1, 1],
          [2, 2],
          [2, 20],
        ]);
        const metrics = await (await fetch(`http://127.0.0.1:${going.port}/metrics`)).text();
        expect(metrics.split('\n').filter((l) => l.startsWith('sluice_capture_partial_rows_total{'))).toEqual([
          `sluice_capture_partial_rows_total{table="${pdb}.t",service="capture"} 1`,
        ]);
      } finally {
        await conn.query(`DROP DATABASE IF EXISTS \`${pdb}\``);
        await conn.end();
      }
    },
  );
});
