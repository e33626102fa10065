import { createKafka, createLogger, type KafkaAdmin } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, expectConverged, stack, uniqueName } from '../support/stack.ts';
import { waitForEndOffset } from '../support/topics.ts';

/**
 * `sluice topics`, `sluice schema` and `sluice bootstrap` against a pipeline of their own: capture
 * publishes inserts, updates, deletes, a key change, a re-inserted key and a schema change to
 * compacted topics; bootstrap prepares a new sink group, refuses it once it has offsets or runs,
 * and a sink of that name builds a new target database (routed) that converges with the source.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];
const env = { SLUICE_SCHEMA_REGISTRY_URL: s.registryUrl, SLUICE_KAFKA_BROKERS: s.kafkaBrokers.join(',') };

describe('sluice topics, schema and bootstrap', () => {
  const db = uniqueName('iso_cliboot');
  const targetDb = `${db}_new`;
  const prefix = uniqueName('cliboot');
  const sinkName = `boot-${prefix}`;
  const topic = (table: string) => `${prefix}.${db}.${table}`;
  const services: ServiceProcess[] = [];
  let source: mysql.Connection;
  let target: mysql.Connection;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
    admin = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test', 'warn') }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const p of services) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await target?.query(`DROP DATABASE IF EXISTS \`${targetDb}\``);
    await target?.query('DELETE FROM _sluice.checkpoints WHERE sink = ?', [sinkName]).catch(() => undefined);
    await source?.end();
    await target?.end();
    if (admin) {
      await admin.deleteGroups([sinkName]).catch(() => undefined);
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

  it('lists the prefix topics and the table schema versions after updates, deletes and an ALTER', async () => {
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(
      `CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL, n DECIMAL(10,2) NULL, at DATETIME(3) NULL)`,
    );
    await source.query(`CREATE TABLE \`${db}\`.u (k VARCHAR(10) PRIMARY KEY, x INT NOT NULL)`);
    await source.query(`CREATE TABLE \`${db}\`.fin (id INT PRIMARY KEY)`);
    // Default topic settings: compacted table topics.
    const capture = ownCapture(s, { name: 'capture-cliboot', prefix, include: [`${db}.*`], extra: { heartbeatMs: 500 } });
    services.push(capture);
    await capture.start();

    const t = `\`${db}\`.t`;
    for (let i = 0; i < 6; i++) {
      const rows = Array.from({ length: 10 }, (_, j) => i * 10 + j + 1);
      await source.query(
        `INSERT INTO ${t} VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}`,
        rows.flatMap((id) => [id, `v${id}`, id * 1.5, `2024-05-01 12:00:${String(id % 60).padStart(2, '0')}.123`]),
      );
    }
    await source.query(`UPDATE ${t} SET v = CONCAT('upd', id), n = n * 2 WHERE id <= 20`);
    await source.query(`UPDATE ${t} SET n = NULL, at = NULL WHERE id BETWEEN 21 AND 25`);
    await source.query(`DELETE FROM ${t} WHERE id BETWEEN 41 AND 50`);
    await source.query(`UPDATE ${t} SET id = 160 WHERE id = 60`); // key change: delete + create
    await source.query(`ALTER TABLE ${t} ADD COLUMN note VARCHAR(20) NULL`);
    await source.query(`UPDATE ${t} SET note = 'after alter' WHERE id BETWEEN 2 AND 5`);
    await source.query(`DELETE FROM ${t} WHERE id = 3`);
    await source.query(`INSERT INTO ${t} VALUES (45, 'again', 1.25, NULL, 'reinserted')`); // a deleted key comes back
    await source.query(`INSERT INTO \`${db}\`.u VALUES ('a', 1), ('b', 2), ('c', 3)`);
    await source.query(`UPDATE \`${db}\`.u SET x = x + 10`);
    await source.query(`DELETE FROM \`${db}\`.u WHERE k = 'b'`);
    // Capture publishes in source order, so once this row is committed in Kafka everything before it is.
    await source.query(`INSERT INTO \`${db}\`.fin VALUES (1)`);
    await waitForEndOffset({ brokers: s.kafkaBrokers, topic: topic('fin'), min: 2 });
    // Capture heartbeats once caught up and idle; the heartbeat topic is created with the first one.
    await waitForEndOffset({ brokers: s.kafkaBrokers, topic: `${prefix}._heartbeats`, min: 1 });

    const topics = await sluice(['topics', '--prefix', prefix, '--json'], { env });
    expect(topics.code, topics.stderr).toBe(0);
    const report = JSON.parse(topics.stdout);
    const byName = new Map(report.topics.map((x: { topic: string }) => [x.topic, x]));
    expect(byName.get(`${prefix}._checkpoints`)).toMatchObject({ kind: 'checkpoints', partitions: 1, cleanupPolicy: 'compact' });
    expect(byName.get(`${prefix}._heartbeats`)).toMatchObject({ kind: 'heartbeats' });
    expect(byName.get(`${prefix}._schema_changes`)).toMatchObject({ kind: 'schema_changes' });
    for (const table of ['t', 'u', 'fin']) {
      expect(byName.get(topic(table)), table).toMatchObject({ kind: 'table', partitions: 1, cleanupPolicy: 'compact' });
    }
    // 60 inserts, 25 updates, 10 deletes with tombstones, a key change, ... plus transaction markers.
    expect((byName.get(topic('t')) as { records: number }).records).toBeGreaterThan(100);
    expect(report.warnings).toEqual([]);
    // Sizes: bytes of the partition leaders' log segments (DescribeLogDirs), exact in --json.
    type Sized = { size: number; offsets: { high: number; size: number }[] };
    const t0 = byName.get(topic('t')) as Sized;
    expect(t0.size).toBeGreaterThan(0);
    expect(t0.offsets[0]?.size).toBe(t0.size);
    const u0 = byName.get(topic('u')) as Sized;
    expect(u0.size).toBeGreaterThan(0);
    expect(report.notes).toEqual([]);
    // Ten more rows of u in one transaction: ten records and a commit marker, and the log grows by them.
    await source.query(`INSERT INTO \`${db}\`.u VALUES ${Array.from({ length: 10 }, (_, i) => `('n${i}', ${i})`).join(', ')}`);
    await waitForEndOffset({ brokers: s.kafkaBrokers, topic: topic('u'), min: (u0.offsets[0]?.high ?? 0) + 11 });
    const grown = await sluice(['topics', '--prefix', prefix, '--json'], { env });
    expect(grown.code, grown.stderr).toBe(0);
    const u1 = (JSON.parse(grown.stdout).topics as ({ topic: string } & Sized)[]).find((x) => x.topic === topic('u'));
    expect(u1?.size).toBeGreaterThan(u0.size);
    const human = await sluice(['topics', '--topic-prefix', prefix], { env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`${topic('t').replace(/\./g, '\\.')} +table +1 +compact +\\d+ d +[\\d,]+ +[\\d.]+ (B|KiB|MiB)\\n`),
    );
    expect(human.stdout).toMatch(/3 table topics, [\d,]+ records \(est\.\), [\d.]+ (B|KiB|MiB) in them/);
    const none = await sluice(['topics', '--prefix', `${prefix}_none`], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/NOT_FOUND: no topics of prefix .*_none/);

    const schema = await sluice(['schema', `${db}.t`, '--prefix', prefix, '--json'], { env });
    expect(schema.code, schema.stderr).toBe(0);
    const sc = JSON.parse(schema.stdout);
    expect(sc.topic).toBe(topic('t'));
    expect(sc.value.versions.length).toBeGreaterThanOrEqual(2);
    expect(sc.value.versions.at(-1).changes).toEqual(['+ note varchar(20)']);
    expect(sc.key.versions.map((v: { columns: string[] }) => v.columns)).toEqual([['id']]);
    expect(sc.latest.primaryKey).toEqual(['id']);
    expect(sc.latest.columns).toEqual([
      expect.objectContaining({ column: 'id', sqlType: 'int(11)', avroType: 'int', connectName: null, nullable: false, key: 1 }),
      expect.objectContaining({ column: 'v', sqlType: 'varchar(20)', avroType: 'string', nullable: false, key: null }),
      expect.objectContaining({
        column: 'n',
        sqlType: 'decimal(10,2)',
        avroType: 'bytes decimal(10,2)',
        connectName: 'org.apache.kafka.connect.data.Decimal',
        nullable: true,
      }),
      expect.objectContaining({
        column: 'at',
        sqlType: 'datetime(3)',
        avroType: 'long',
        connectName: 'io.debezium.time.Timestamp',
      }),
      expect.objectContaining({ column: 'note', sqlType: 'varchar(20)', nullable: true, key: null }),
    ]);
    const schemaText = await sluice(['schema', `${db}.t`, '--prefix', prefix], { env });
    expect(schemaText.code, schemaText.stderr).toBe(0);
    expect(schemaText.stdout).toMatch(
      /n +decimal\(10,2\) +bytes decimal\(10,2\) +org\.apache\.kafka\.connect\.data\.Decimal +yes +-/,
    );
    expect(schemaText.stdout).toMatch(/\+ note varchar\(20\)/);
    const missing = await sluice(['schema', `${db}.nope`, '--prefix', prefix], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/NOT_FOUND: no subject .*\.nope-value/);
  });

  it('plans the bootstrap, warns about a topic that is not compacted, and refuses without confirmation', async () => {
    // A table topic that deletes old records: Kafka alone may not hold its table.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: topic('legacy'), numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }],
    });
    const dry = await sluice(['bootstrap', '--sink', sinkName, '--prefix', prefix, '--dry-run', '--json'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.refusals).toEqual([]);
    expect(plan.plan.map((r: { topic: string }) => r.topic).sort()).toEqual(
      [`${prefix}._heartbeats`, topic('fin'), topic('legacy'), topic('t'), topic('u')].sort(),
    );
    expect(plan.plan.every((r: { start: string }) => r.start === 'earliest')).toBe(true);
    expect(plan.plan.find((r: { topic: string }) => r.topic === topic('t'))).toMatchObject({ to: 0 });
    expect(plan.plan.find((r: { topic: string }) => r.topic === topic('t')).apply).toBeGreaterThan(100);
    expect(plan.warnings).toEqual([
      expect.stringMatching(new RegExp(`^${topic('legacy')}: cleanup.policy=delete deletes old records`)),
    ]);
    expect(plan.next).toBe(
      `SLUICE_SINK_NAME=${sinkName} npx sluice-sink --config <sink config: the new target's url and kind, routes if its tables are named differently, topicPrefix: ${prefix}>`,
    );

    const narrowed = await sluice(
      ['bootstrap', '--sink', sinkName, '--prefix', prefix, '--tables', `${db}.t`, '--dry-run', '--json'],
      {
        env,
      },
    );
    const rows = JSON.parse(narrowed.stdout).plan as { topic: string; start: string }[];
    expect(rows.find((r) => r.topic === topic('u'))?.start).toBe('end');
    expect(rows.find((r) => r.topic === topic('t'))?.start).toBe('earliest');

    const unconfirmed = await sluice(['bootstrap', '--sink', sinkName, '--prefix', prefix], { env });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toMatch(/warning: .*legacy: cleanup.policy=delete/);
    expect(unconfirmed.stderr).toMatch(/BOOTSTRAP_REFUSED: no terminal to confirm on: run with --yes/);
    expect((await admin.fetchOffsets({ groupId: sinkName })).length).toBe(0);
  });

  it('prepares the new group; a sink of that name builds a new target that converges with the source', async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    const done = await sluice(['bootstrap', '--sink', sinkName, '--prefix', prefix, '--yes'], { env });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(
      new RegExp(`sink group ${sinkName} prepared on 5 partitions: [\\d,]+ records \\(est\\.\\) to apply`),
    );
    expect(done.stdout).toMatch(
      new RegExp(`next: start the sink with this name on the new target:\\n  SLUICE_SINK_NAME=${sinkName} npx sluice-sink`),
    );
    for (const name of ['t', 'u', 'fin']) {
      const [committed] = await admin.fetchOffsets({ groupId: sinkName, topics: [topic(name)] });
      const [ends] = await admin.fetchTopicOffsets(topic(name));
      expect(committed?.partitions[0]?.offset, name).toBe(ends?.low);
    }
    const again = await sluice(['bootstrap', '--sink', sinkName, '--prefix', prefix, '--yes'], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      new RegExp(
        `BOOTSTRAP_REFUSED: sink group ${sinkName} already has committed offsets on 5 partition\\(s\\).*sluice replay --sink ${sinkName} --earliest`,
      ),
    );

    const sink = ownSink(s, {
      name: sinkName,
      prefix,
      targetUrl: mariadb.url,
      extra: { routes: [{ from: `${db}.*`, to: `${targetDb}.*` }] },
    });
    services.push(sink);
    await sink.start();
    const converged = async () => {
      for (const [table, columns] of [
        ['t', ['id', 'v', 'n', 'at', 'note']],
        ['u', ['k', 'x']],
        ['fin', ['id']],
      ] as const) {
        const r = await expectConverged({ source, target, db, targetDb, table, columns: [...columns] });
        expect(r.target, table).toEqual(r.source);
      }
    };
    await converged();
    const [[{ n }]] = (await target.query(`SELECT COUNT(*) AS n FROM \`${targetDb}\`.t`)) as unknown as [[{ n: number }]];
    expect(Number(n)).toBe(50); // 60 - 10 deleted - 1 deleted + 1 re-inserted (the key change keeps the count)

    // The group now runs: bootstrap refuses it; the sink follows capture from here.
    const running = await sluice(['bootstrap', '--sink', sinkName, '--prefix', prefix, '--dry-run'], { env });
    expect(running.stdout).toMatch(new RegExp(`would refuse: sink group ${sinkName} has 1 active member`));
    await source.query(`UPDATE \`${db}\`.t SET v = 'live' WHERE id = 7`);
    await source.query(`DELETE FROM \`${db}\`.t WHERE id = 8`);
    await source.query(`DELETE FROM \`${db}\`.u`);
    await converged();
  });
});
