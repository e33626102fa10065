import { createKafka, createLogger } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Poison records (DLQ and stop policies), routing (rename, shard merge) and replay by offset reset.
 * Every test has its own database, prefix, capture and sinks: they all run at once.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];
const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test', 'warn') });

describe.concurrent('sink policies', () => {
  const services: ServiceProcess[] = [];
  const sourceDbs: string[] = [];
  const targetDbs: string[] = [];
  let source: mysql.Connection;
  let target: mysql.Connection;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    for (const db of sourceDbs) await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    for (const db of targetDbs) await target?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    await target?.end();
  });

  beforeAll(async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
  });

  const setup = async (name: string) => {
    const db = uniqueName(`iso_${name}`);
    sourceDbs.push(db);
    targetDbs.push(db);
    await source.query(`CREATE DATABASE \`${db}\``);
    return { db, prefix: uniqueName(name.slice(0, 4)) };
  };

  it('sends undecodable and unappliable records to the DLQ with their reason, and loses nothing else', async () => {
    const { db, prefix } = await setup('poison');
    await source.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20))`);
    // The target's column is narrower than the source's: 'too long for it' cannot be applied.
    await target.query(`CREATE DATABASE \`${db}\``);
    await target.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(3))`);
    const capture = ownCapture(s, { name: 'capture-poison', prefix, include: [`${db}.*`] });
    const sink = ownSink(s, {
      name: `sink-${prefix}`,
      prefix,
      targetUrl: mariadb?.url ?? '',
      extra: { onError: 'dlq', ddl: 'ignore' },
    });
    services.push(capture, sink);
    await capture.start();
    await source.query(`INSERT INTO \`${db}\`.t VALUES (1, 'ok')`);
    await source.query(`INSERT INTO \`${db}\`.t VALUES (2, 'too long for it')`);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: `${prefix}.${db}.t`, messages: [{ key: 'junk', value: 'not an avro record' }] });
    await producer.disconnect();
    await source.query(`INSERT INTO \`${db}\`.t VALUES (3, 'ok')`);
    await sink.start();

    const dlq = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.dlq.sink-${prefix}`,
      expected: 2,
      raw: true,
    });
    const reasons = dlq.map((r) => r.headers?.['sluice.error.code']).sort();
    expect(reasons, sink.tail()).toEqual(['DECODE_FAILED', 'TARGET_REJECTED']);
    const rejected = dlq.find((r) => r.headers?.['sluice.error.code'] === 'TARGET_REJECTED');
    expect(rejected?.headers?.['sluice.error.message']).toMatch(/Data too long|1406/);
    expect(rejected?.headers?.['sluice.source.topic']).toBe(`${prefix}.${db}.t`);
    expect(rejected?.headers?.['sluice.source.offset']).toMatch(/^\d+$/);

    // The operator sees them in `sluice status`: the count and the newest reason.
    const status = await sluice(['status', '--sink', `sink-${prefix}`, '--topic-prefix', prefix, '--json'], {
      env: { SLUICE_SCHEMA_REGISTRY_URL: s.registryUrl, SLUICE_KAFKA_BROKERS: s.kafkaBrokers.join(',') },
    });
    const report = JSON.parse(status.stdout) as { sinks: { deadLetters?: { count: number; lastError: string } }[] };
    expect(report.sinks[0]?.deadLetters?.count, status.stderr).toBe(2);
    expect(report.sinks[0]?.deadLetters?.lastError).toMatch(/^(DECODE_FAILED|TARGET_REJECTED): /);

    await source.query(`INSERT INTO \`${db}\`.t VALUES (4, 'ok')`);
    await waitFor('rows 1, 3 and 4 in the target', async () => {
      const [rows] = await target.query(`SELECT id FROM \`${db}\`.t ORDER BY id`);
      return JSON.stringify(rows) === '[{"id":1},{"id":3},{"id":4}]' ? true : undefined;
    });
  });

  it('stops at an unappliable record by policy, with the reason, and commits nothing past it', async () => {
    const { db, prefix } = await setup('pstop');
    await source.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20))`);
    await target.query(`CREATE DATABASE \`${db}\``);
    await target.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(3))`);
    const capture = ownCapture(s, { name: 'capture-pstop', prefix, include: [`${db}.*`] });
    const sinkName = `sink-${prefix}`;
    const sink = ownSink(s, { name: sinkName, prefix, targetUrl: mariadb?.url ?? '', extra: { onError: 'stop', ddl: 'ignore' } });
    services.push(capture, sink);
    await capture.start();
    await source.query(`INSERT INTO \`${db}\`.t VALUES (1, 'ok')`);
    await source.query(`INSERT INTO \`${db}\`.t VALUES (2, 'too long for it')`);
    // Both records in Kafka before the sink starts: its first batch holds the refused one, so it
    // stops having committed nothing (status must still know the sink: its target does).
    await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.t`,
      expected: 2,
      settleMs: 200,
    });
    // It may stop before it even reports ready: the refused record is the first thing it reads.
    await sink.start().catch(() => undefined);
    const code = await Promise.race([sink.waitExit(), new Promise((r) => setTimeout(() => r('running'), 60_000))]);
    expect(code, sink.tail()).toBe(1);
    expect(sink.log()).toMatch(/"code":"TARGET_REJECTED".*"offset":"\d+".*sink stops: target rejected the batch \(1406\)/);
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: sinkName, topics: [`${prefix}.${db}.t`] });
    await admin.disconnect();
    // Nothing committed past the refused record (offset 1: the second record of the topic).
    expect(Number(offsets?.partitions[0]?.offset ?? '-1')).toBeLessThanOrEqual(1);

    // sluice status says why it stopped and where, read from the stop row the sink left in its target.
    const sinkConfig = configFile('pstop', {
      sinkName,
      target: { url: mariadb?.url, kind: 'mariadb' },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
    });
    const status = await waitFor('status to show the stopped sink', async () => {
      const r = await sluice(['status', '--sink-config', sinkConfig, '--json']);
      const sink = JSON.parse(r.stdout).sinks[0];
      return sink?.state === 'stopped' ? { r, sink } : undefined;
    });
    expect(status.r.code).toBe(1);
    expect(status.sink.error).toBe(true);
    expect(status.sink.stop).toMatchObject({ code: 'TARGET_REJECTED', topic: `${prefix}.${db}.t`, partition: 0 });
    expect(status.sink.reason).toMatch(
      new RegExp(
        `^TARGET_REJECTED at ${prefix}\\.${db}\\.t\\[0\\] offset \\d+ \\(\\d{4}-\\d\\d-\\d\\dT[^)]+Z\\): target rejected the batch \\(1406\\)`,
      ),
    );
    const human = await sluice(['status', '--sink-config', sinkConfig]);
    expect(human.stdout).toContain('TARGET_REJECTED at');
    // Started again (here with the DLQ policy), the sink clears its stop row.
    const again = ownSink(s, { name: sinkName, prefix, targetUrl: mariadb?.url ?? '', extra: { onError: 'dlq', ddl: 'ignore' } });
    services.push(again);
    await again.start();
    await waitFor('the stop row gone', async () => {
      const [rows] = (await target.query('SELECT COUNT(*) AS n FROM _sluice.stops WHERE sink = ?', [sinkName])) as unknown as [
        { n: string }[],
      ];
      return Number(rows[0]?.n) === 0 ? true : undefined;
    });
  });

  it('routes shards into one table and renames a database', async () => {
    const { db, prefix } = await setup('route');
    const merged = `${db}_m`;
    const renamed = `${db}_r`;
    targetDbs.push(merged, renamed);
    for (const t of ['orders_00', 'orders_01'])
      await source.query(`CREATE TABLE \`${db}\`.${t} (id INT PRIMARY KEY, total DECIMAL(10,2))`);
    await source.query(`CREATE TABLE \`${db}\`.customers (id INT PRIMARY KEY, name VARCHAR(20))`);
    await source.query(`INSERT INTO \`${db}\`.orders_00 VALUES (1, 10.00), (2, 20.00)`);
    await source.query(`INSERT INTO \`${db}\`.orders_01 VALUES (3, 30.00), (4, 40.00)`);
    await source.query(`INSERT INTO \`${db}\`.customers VALUES (1, 'Ann')`);
    const capture = ownCapture(s, { name: 'capture-route', prefix, include: [`${db}.*`] });
    const routes = [
      { from: `${db}.orders_*`, to: `${merged}.orders` },
      { from: `${db}.*`, to: `${renamed}.*` },
    ];
    const sinkName = `sink-${prefix}`;
    const sink = ownSink(s, { name: sinkName, prefix, targetUrl: mariadb?.url ?? '', extra: { routes } });
    services.push(capture, sink);
    await capture.start();
    await sink.start();
    await waitFor('the merged table', async () => {
      const [rows] = await target.query(`SELECT id, total FROM \`${merged}\`.orders ORDER BY id`);
      return (rows as unknown[]).length === 4 ? rows : undefined;
    });
    const [orders] = await target.query(`SELECT id, total FROM \`${merged}\`.orders ORDER BY id`);
    expect(orders).toEqual([
      { id: 1, total: '10.00' },
      { id: 2, total: '20.00' },
      { id: 3, total: '30.00' },
      { id: 4, total: '40.00' },
    ]);
    const r = await expectConverged({ source, target, db, targetDb: renamed, table: 'customers', columns: ['id', 'name'] });
    expect(r.target).toEqual(r.source);

    // Replay: damage the target behind the pipeline's back, reset the group to the earliest
    // offsets with the sink stopped, and let idempotent apply converge again.
    await target.query(`DELETE FROM \`${merged}\`.orders WHERE id IN (1, 4)`);
    await target.query(`UPDATE \`${renamed}\`.customers SET name = 'wrong'`);
    await sink.stop();
    const admin = kafka.admin();
    await admin.connect();
    for (const topic of [`${prefix}.${db}.orders_00`, `${prefix}.${db}.orders_01`, `${prefix}.${db}.customers`]) {
      await admin.resetOffsets({ groupId: sinkName, topic, earliest: true });
    }
    await admin.disconnect();
    await sink.start();
    const again = await expectConverged({ source, target, db, targetDb: renamed, table: 'customers', columns: ['id', 'name'] });
    expect(again.target).toEqual(again.source);
    await waitFor('replayed orders', async () => {
      const [rows] = await target.query(`SELECT id FROM \`${merged}\`.orders ORDER BY id`);
      return (rows as unknown[]).length === 4 ? rows : undefined;
    });

    // One shard's TRUNCATE must not empty the table all shards merge into; the row after it arrives.
    await source.query(`TRUNCATE TABLE \`${db}\`.orders_00`);
    await source.query(`INSERT INTO \`${db}\`.orders_01 VALUES (5, 50.00)`);
    await sink.waitLog(/table-wide change of one shard not applied to the merged table/);
    const after = await waitFor('the row after the truncate', async () => {
      const [rows] = await target.query(`SELECT id FROM \`${merged}\`.orders ORDER BY id`);
      return (rows as unknown[]).length === 5 ? rows : undefined;
    });
    expect(after).toEqual([1, 2, 3, 4, 5].map((id) => ({ id })));
  });
});

describe.concurrent('sink ddl policies', () => {
  const services: ServiceProcess[] = [];
  const dbs: string[] = [];
  let source: mysql.Connection;
  let target: mysql.Connection;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    for (const db of dbs) {
      await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await target?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    }
    await source?.end();
    await target?.end();
  });

  it('ignore writes the columns an existing target table has; stop refuses a difference', async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
    const db = uniqueName('iso_ddlpol');
    dbs.push(db);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(10), extra INT)`);
    await target.query(`CREATE DATABASE \`${db}\``);
    await target.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(10))`);
    const prefix = uniqueName('dp');
    const capture = ownCapture(s, { name: 'capture-ddlpol', prefix, include: [`${db}.*`] });
    const ignore = ownSink(s, { name: `sink-${prefix}-ignore`, prefix, targetUrl: mariadb.url, extra: { ddl: 'ignore' } });
    services.push(capture, ignore);
    await capture.start();
    await source.query(`INSERT INTO \`${db}\`.t VALUES (1, 'one', 100)`);
    await ignore.start();
    await waitFor('the row without the extra column', async () => {
      const [rows] = await target.query(`SELECT * FROM \`${db}\`.t`);
      return JSON.stringify(rows) === '[{"id":1,"v":"one"}]' ? true : undefined;
    });
    expect(ignore.log()).toMatch(/ddl: ignore writes the columns it has/);

    const stop = ownSink(s, { name: `sink-${prefix}-stop`, prefix, targetUrl: mariadb.url, extra: { ddl: 'stop' } });
    services.push(stop);
    await stop.start().catch(() => undefined);
    const code = await Promise.race([stop.waitExit(), new Promise((r) => setTimeout(() => r('running'), 60_000))]);
    expect(code, stop.tail()).toBe(1);
    expect(stop.log()).toMatch(/"code":"SCHEMA_MISMATCH".*new columns extra \(ddl: stop\)/);
  });
});
