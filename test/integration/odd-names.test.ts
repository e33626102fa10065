import {
  createKafka,
  createLogger,
  foldTopicName,
  type KafkaAdmin,
  mappedTableTopic,
  qualified,
  quoteIdent,
  TOPIC_NAME_MAX,
  tableTopicPattern,
} from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName } from '../support/stack.ts';

/**
 * Any table the source can hold replicates (issue 10 item 3, design contract 10): databases,
 * tables and columns named with unicode, spaces, `;`, a backtick, a dot, a newline, 64 characters,
 * like an internal topic (`_x`, `dlq_x`), and a pair whose clean topic names Kafka takes for the
 * same ('.' and '_' fold together). Snapshot rows, then streamed inserts, updates and deletes, a
 * column added and an unquoted TRUNCATE, from MariaDB and MySQL 8, reach MariaDB and TiDB; each
 * table is compared column by column; the CLI finds the mapped tables by their real names.
 */
const s = stack();
const env = { SLUICE_SCHEMA_REGISTRY_URL: s.registryUrl, SLUICE_KAFKA_BROKERS: s.kafkaBrokers.join(',') };

type Column = [name: string, type: string];
interface OddTable {
  db: string;
  table: string;
  columns: Column[];
  key: string[];
}

const plain = (db: string, table: string): OddTable => ({
  db,
  table,
  columns: [
    ['id', 'INT NOT NULL'],
    ['v', 'VARCHAR(40) NULL'],
  ],
  key: ['id'],
});
// MariaDB and MySQL spell a CJK character in a file name with 5 bytes: 50 is about their longest such table name.
const cjkTable = '前'.repeat(50);

/** Databases and tables with odd names, under a unique base name `u`. */
function fixture() {
  const u = uniqueName('iso_odd');
  const dbs = {
    uni: `${u} 名前;db`,
    dot: `${u}.d`,
    under: `_${u}`,
    dlq: `dlq_${u}`,
    long: `${u}_${'l'.repeat(64)}`.slice(0, 64),
    foldA: `${u}_a`,
    foldB: `${u}_a_b`,
  };
  const tables: OddTable[] = [
    {
      db: dbs.uni,
      table: '名前表',
      columns: [
        ['id', 'INT NOT NULL'],
        ['名前', 'VARCHAR(20) NULL'],
        ['a`b', 'INT NULL'],
        ['sp ace;', 'INT NULL'],
        ['x.y', 'INT NULL'],
        // These two get one Avro field name each (a_b, a_b_): the sink maps them back by sluice.column.
        ['a b', 'INT NULL'],
        ['a_b', 'INT NULL'],
        ['列'.repeat(64), 'INT NULL'],
        ['c'.repeat(64), 'VARCHAR(10) NULL'],
        ['new\nline', 'INT NULL'],
      ],
      key: ['id'],
    },
    {
      db: dbs.uni,
      table: 't.dot',
      columns: [
        ['名前', 'VARCHAR(10) NOT NULL'],
        ['a`b', 'INT NOT NULL'],
        ['v', 'TEXT NULL'],
      ],
      key: ['名前', 'a`b'],
    },
    plain(dbs.uni, 'a`b; c'),
    plain(dbs.uni, cjkTable),
    plain(dbs.dot, 't.dot'),
    plain(dbs.under, 't'),
    plain(dbs.dlq, 't'),
    {
      ...plain(dbs.long, 't'.repeat(64)),
      columns: [
        ['c'.repeat(64), 'INT NOT NULL'],
        ['v', 'VARCHAR(40) NULL'],
      ],
      key: ['c'.repeat(64)],
    },
    plain(dbs.foldA, 'b_c'),
    plain(dbs.foldB, 'c'),
  ];
  return { u, dbs, tables };
}

const name = (t: OddTable) => `${t.db}.${t.table}`;

/** A row of `t` for `id`, `round` telling versions of it apart; key columns depend on id only. */
function row(t: OddTable, id: number, round = 0): unknown[] {
  return t.columns.map(([c, type], i) => {
    const key = t.key.includes(c);
    if (/^(VARCHAR|TEXT)/.test(type)) return key ? `k${id}` : `${c.slice(0, 2)}-${id}-${round}-ü名`.slice(0, 10);
    return key ? id : id * 10 + i + round * 1000;
  });
}

async function insert(conn: mysql.Connection, t: OddTable, id: number): Promise<void> {
  const cols = t.columns.map(([c]) => quoteIdent(c)).join(', ');
  await conn.query(`INSERT INTO ${qualified(t.db, t.table)} (${cols}) VALUES (?)`, [row(t, id)]);
}

async function update(conn: mysql.Connection, t: OddTable, id: number): Promise<void> {
  const values = row(t, id, 1);
  const set = t.columns.flatMap(([c], i) => (t.key.includes(c) ? [] : [[quoteIdent(c), values[i]] as const]));
  const where = t.key.map((k) => `${quoteIdent(k)} = ?`).join(' AND ');
  const keyValues = t.key.map((k) => values[t.columns.findIndex(([c]) => c === k)]);
  await conn.query(`UPDATE ${qualified(t.db, t.table)} SET ${set.map(([c]) => `${c} = ?`).join(', ')} WHERE ${where}`, [
    ...set.map(([, v]) => v),
    ...keyValues,
  ]);
}

async function remove(conn: mysql.Connection, t: OddTable, id: number): Promise<void> {
  const values = row(t, id);
  const where = t.key.map((k) => `${quoteIdent(k)} = ?`).join(' AND ');
  await conn.query(`DELETE FROM ${qualified(t.db, t.table)} WHERE ${where}`, [
    ...t.key.map((k) => values[t.columns.findIndex(([c]) => c === k)]),
  ]);
}

async function columnsOf(conn: mysql.Connection, t: OddTable): Promise<string[]> {
  const [rows] = await conn.query(
    'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [t.db, t.table],
  );
  return (rows as { c: string }[]).map((r) => r.c);
}

const sources = [{ name: 'MariaDB', url: s.sourceUrl }, ...(s.mysql8Url ? [{ name: 'MySQL 8', url: s.mysql8Url }] : [])];

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each(sources)('odd database, table and column names from $name', (src) => {
  const { u, dbs, tables } = fixture();
  const prefix = uniqueName('oddn');
  const services: ServiceProcess[] = [];
  const sinks: { name: string; url: string; sink: ServiceProcess; conn?: mysql.Connection }[] = [];
  let source: mysql.Connection;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    source = await connect(src.url);
    admin = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test', 'warn') }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    for (const db of Object.values(dbs)) {
      await source?.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
      for (const t of sinks) await t.conn?.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`).catch(() => undefined);
    }
    for (const t of sinks) {
      await t.conn?.query('DELETE FROM _sluice.checkpoints WHERE sink = ?', [t.name]).catch(() => undefined);
      for (const side of ['row_versions', 'table_versions']) {
        await t.conn?.query(`DELETE FROM _sluice.${side} WHERE db IN (?)`, [Object.values(dbs)]).catch(() => undefined);
      }
      await t.conn?.end();
    }
    await source?.end();
    if (admin) {
      await admin.deleteGroups(sinks.map((t) => t.name)).catch(() => undefined);
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
      if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      await admin.disconnect();
    }
    const subjects = (await (await fetch(`${s.registryUrl}/subjects`)).json()) as string[];
    for (const subject of subjects.filter((x) => x.startsWith(`${prefix}.`))) {
      const url = `${s.registryUrl}/subjects/${encodeURIComponent(subject)}`;
      await fetch(url, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${url}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
    }
  });

  it('replicates snapshot and streamed changes of every table into every target, column by column', {
    ...inOrder,
    timeout: 300_000,
  }, async () => {
    for (const db of Object.values(dbs)) await source.query(`CREATE DATABASE ${quoteIdent(db)}`);
    for (const t of tables) {
      const cols = t.columns.map(([c, type]) => `${quoteIdent(c)} ${type}`);
      await source.query(
        `CREATE TABLE ${qualified(t.db, t.table)} (${cols.join(', ')}, PRIMARY KEY (${t.key.map(quoteIdent).join(', ')}))`,
      );
      for (const id of [1, 2, 3]) await insert(source, t, id);
    }

    const capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      sourceUrl: src.url,
      include: [`${u}*.*`, `_${u}.*`, `dlq_${u}.*`],
    });
    services.push(capture);
    await capture.start();
    // The streamed changes below start once the snapshot is done: an ALTER racing the snapshot of
    // its table made the sinks drop and re-add the new column (seen once in a clean-clone CI run;
    // an open defect, in the session note), which this test is not about.
    await capture.waitLog(/"msg":"capture streaming"/);
    for (const target of s.targets) {
      const sinkName = `${prefix}-${target.name}`;
      // The guard keeps rows per (db, table) in _sluice: unicode names must not meet there.
      const sink = ownSink(s, {
        name: sinkName,
        prefix,
        targetUrl: target.url,
        kind: target.name === 'tidb' ? 'tidb' : 'mariadb',
        extra: { staleWriteGuard: true },
      });
      services.push(sink);
      sinks.push({ name: sinkName, url: target.url, sink, conn: await connect(target.url) });
      await sink.start();
    }

    // Streamed: one source transaction across every table, then a column added and an unquoted TRUNCATE.
    await source.beginTransaction();
    for (const t of tables) {
      for (const id of [4, 5]) await insert(source, t, id);
      await update(source, t, 2);
      await remove(source, t, 3);
    }
    await source.commit();
    const rich = tables[0] as OddTable;
    await source.query(`ALTER TABLE ${qualified(rich.db, rich.table)} ADD COLUMN ${quoteIdent('新 列')} INT NULL`);
    rich.columns.push(['新 列', 'INT NULL']);
    await insert(source, rich, 6);
    await source.query(`USE ${quoteIdent(dbs.uni)}`);
    await source.query(`TRUNCATE TABLE ${cjkTable}`);
    await insert(source, plain(dbs.uni, cjkTable), 7);

    for (const target of sinks) {
      const conn = target.conn as mysql.Connection;
      for (const t of tables) {
        const columns = await columnsOf(source, t);
        const got = await expectConverged({ source, target: conn, db: t.db, table: t.table, columns, timeoutMs: 120_000 });
        expect(got.target, `${target.name}: ${name(t)}\n${target.sink.tail()}\n${capture.tail()}`).toEqual(got.source);
        expect(await columnsOf(conn, t), `${target.name}: ${name(t)}`).toEqual(columns);
      }
      expect(target.sink.log()).not.toMatch(/sink stops/);
    }
    expect(capture.log()).not.toMatch(/table refused|KAFKA_UNAVAILABLE/);
  });

  it('gives every table a topic of its own that Kafka accepts and the sinks read', inOrder, async () => {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    const pattern = tableTopicPattern(prefix);
    const tableTopics = mine.filter((t) => pattern.test(t));
    expect(tableTopics.length, mine.join('\n')).toBe(tables.length);
    for (const t of tableTopics) expect(t.length).toBeLessThanOrEqual(TOPIC_NAME_MAX);
    expect(new Set(mine.map(foldTopicName)).size).toBe(mine.length);
    // Clean where the names allow it, mapped elsewhere; of the folding pair, one each.
    expect(tableTopics).toContain(mappedTableTopic(prefix, dbs.uni, '名前表'));
    expect(tableTopics).toContain(mappedTableTopic(prefix, dbs.dot, 't.dot'));
    expect(tableTopics).toContain(mappedTableTopic(prefix, dbs.under, 't'));
    expect(tableTopics).toContain(mappedTableTopic(prefix, dbs.dlq, 't'));
    expect(tableTopics).toContain(`${prefix}.${dbs.long}.${'t'.repeat(64)}`);
    const fold = [`${prefix}.${dbs.foldA}.b_c`, `${prefix}.${dbs.foldB}.c`].filter((t) => tableTopics.includes(t));
    expect(fold.length, tableTopics.join('\n')).toBe(1);
  });

  it('lets the CLI find mapped tables by their real names', { ...inOrder, timeout: 180_000 }, async () => {
    const schema = await sluice(['schema', `\`${dbs.dot}\`.\`t.dot\``, '--prefix', prefix, '--json'], { env });
    expect(schema.code, schema.stderr).toBe(0);
    const report = JSON.parse(schema.stdout);
    expect(report.topic).toBe(mappedTableTopic(prefix, dbs.dot, 't.dot'));
    expect(report.latest).toMatchObject({ database: dbs.dot, table: 't.dot', primaryKey: ['id'] });

    const richSchema = await sluice(['schema', `${dbs.uni}.名前表`, '--prefix', prefix, '--json'], { env });
    // A space in the database name needs backticks; unquoted it is not one table name.
    expect(richSchema.code).toBe(2);
    const quoted = await sluice(['schema', `\`${dbs.uni}\`.名前表`, '--prefix', prefix, '--json'], { env });
    expect(quoted.code, quoted.stderr).toBe(0);
    // Rows read from before the ALTER are encoded with a version built from the binlog, which the
    // registry may get after the current one: the newest registered version need not be the widest.
    const versions = (JSON.parse(quoted.stdout).value.versions as { columns: string[] }[]).map((v) => v.columns);
    expect(versions).toContainEqual((tables[0] as OddTable).columns.map(([c]) => c));

    // --tables matches real names, also of topics whose names do not spell them.
    const plan = await sluice(
      ['bootstrap', '--sink', `${prefix}-new`, '--prefix', prefix, '--tables', `${u}*.t?dot`, '--dry-run', '--json'],
      { env },
    );
    expect(plan.code, plan.stderr).toBe(0);
    const earliest = (JSON.parse(plan.stdout).plan as { topic: string; start: string }[])
      .filter((r) => r.start === 'earliest' && pattern(r.topic))
      .map((r) => r.topic);
    expect([...new Set(earliest)].sort()).toEqual(
      [mappedTableTopic(prefix, dbs.uni, 't.dot'), mappedTableTopic(prefix, dbs.dot, 't.dot')].sort(),
    );

    const mariadb = sinks.find((t) => t.name.endsWith('-mariadb'));
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    const sinkConfig = configFile('odd-verify', {
      sinkName: mariadb.name,
      target: { url: mariadb.url, kind: 'mariadb' },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
    });
    const verify = await sluice([
      'verify',
      '--source',
      src.url,
      '--sink-config',
      sinkConfig,
      '--tables',
      `${u}*.*,_${u}.*,dlq_${u}.*`,
      '--json',
    ]);
    expect(verify.code, `${verify.stdout}\n${verify.stderr}`).toBe(0);
    const checked = JSON.parse(verify.stdout) as { equal: boolean; tables: { source: string; status: string }[] };
    expect(checked.equal).toBe(true);
    expect(checked.tables.map((t) => [t.source, t.status]).sort()).toEqual(tables.map((t) => [name(t), 'equal']).sort());
  });

  const pattern = (topic: string) => tableTopicPattern(prefix).test(topic);
});

/**
 * `T` and `t` are two tables on a Linux MariaDB and one in TiDB, which compares names without
 * case: the MariaDB target gets both, the TiDB sink refuses the second instead of merging it.
 */
describe.concurrent('tables whose names differ only in case', () => {
  const db = uniqueName('iso_oddcase');
  const prefix = uniqueName('oddc');
  const services: ServiceProcess[] = [];
  const conns: { name: string; sink: string; conn: mysql.Connection }[] = [];
  let source: mysql.Connection;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    await source?.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
    await source?.end();
    for (const c of conns) {
      await c.conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`).catch(() => undefined);
      await c.conn.query('DELETE FROM _sluice.checkpoints WHERE sink = ?', [c.sink]).catch(() => undefined);
      await c.conn.end();
    }
    const admin = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test', 'warn') }).admin();
    await admin.connect();
    await admin.deleteGroups(conns.map((c) => c.sink)).catch(() => undefined);
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  });

  it('replicates both into MariaDB and stops the TiDB sink at the second with TARGET_NAME_CLASH', {
    ...inOrder,
    timeout: 180_000,
  }, async () => {
    source = await connect(s.sourceUrl);
    await source.query(`CREATE DATABASE ${quoteIdent(db)}`);
    for (const t of ['T', 't']) await source.query(`CREATE TABLE ${qualified(db, t)} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`INSERT INTO ${qualified(db, 'T')} VALUES (1, 'upper'), (2, 'upper')`);
    await source.query(`INSERT INTO ${qualified(db, 't')} VALUES (1, 'lower')`);
    const capture = ownCapture(s, { name: `capture-${prefix}`, prefix, include: [`${db}.*`] });
    services.push(capture);
    await capture.start();
    // The streamed changes below start once the snapshot is done: an ALTER racing the snapshot of
    // its table made the sinks drop and re-add the new column (seen once in a clean-clone CI run;
    // an open defect, in the session note), which this test is not about.
    await capture.waitLog(/"msg":"capture streaming"/);
    for (const target of s.targets) {
      const sinkName = `${prefix}-${target.name}`;
      const sink = ownSink(s, {
        name: sinkName,
        prefix,
        targetUrl: target.url,
        kind: target.name === 'tidb' ? 'tidb' : 'mariadb',
      });
      services.push(sink);
      conns.push({ name: target.name, sink: sinkName, conn: await connect(target.url) });
      // The TiDB sink may stop before it is ready: that is the point.
      await sink.start().catch((err) => {
        if (target.name !== 'tidb') throw err;
      });
    }
    const want = {
      T: [
        [1, 'upper'],
        [2, 'upper'],
      ],
      t: [[1, 'lower']],
    };
    for (const [i, target] of conns.entries()) {
      const sink = services[i + 1] as ServiceProcess;
      if (target.name !== 'tidb') {
        for (const t of ['T', 't'] as const) {
          const got = await expectConverged({ source, target: target.conn, db, table: t, columns: ['id', 'v'] });
          expect(got.target, `${target.name}: ${t}\n${sink.tail()}`).toEqual(want[t]);
        }
        continue;
      }
      await sink.waitLog(/TARGET_NAME_CLASH/, 1, 90_000);
      expect(await sink.waitExit()).not.toBe(0);
      expect(sink.log()).toMatch(new RegExp(`tables ${db}\\.[Tt] and ${db}\\.[Tt] would be one table in the target`));
      // Whichever table came first is there whole (or not yet, if the stop came first), and nothing of the other merged into it.
      const [rows] = await target.conn
        .query({ sql: `SELECT id, v FROM ${qualified(db, 't')} ORDER BY id`, rowsAsArray: true })
        .catch(() => [[]]);
      expect([want.T, want.t, []]).toContainEqual(rows);
    }
  });
});
