import { createKafka, createLogger } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { waitForEndOffset } from '../support/topics.ts';

/**
 * `sluice status` and `sluice replay` against a pipeline of their own: a running sink is
 * "running", a stopped one with records left is "stopped" (exit 1); replay refuses while the sink
 * runs, without confirmation, and before what a topic keeps; reset to the earliest offsets, the
 * sink rebuilds a damaged target.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];
const env = { SLUICE_SCHEMA_REGISTRY_URL: s.registryUrl, SLUICE_KAFKA_BROKERS: s.kafkaBrokers.join(',') };

describe('sluice status and replay', () => {
  const db = uniqueName('iso_clisr');
  const prefix = uniqueName('clisr');
  const sinkName = `sink-${prefix}`;
  const topic = `${prefix}.${db}.t`;
  const services: ServiceProcess[] = [];
  let source: mysql.Connection;
  let target: mysql.Connection;
  let sink: ServiceProcess;
  let sinkConfig: string;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await target?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await target?.query('DELETE FROM _sluice.checkpoints WHERE sink = ?', [sinkName]).catch(() => undefined);
    await source?.end();
    await target?.end();
  });

  const status = () => sluice(['status', '--sink-config', sinkConfig, '--source', s.sourceUrl, '--json'], { env });
  const replay = (...args: string[]) => sluice(['replay', '--sink', sinkName, '--topic-prefix', prefix, ...args], { env });
  const targetCount = async () => {
    const [rows] = (await target.query(`SELECT COUNT(*) AS n FROM \`${db}\`.t`).catch(() => [[]])) as unknown as [
      { n: string }[],
    ];
    return Number(rows[0]?.n ?? -1);
  };

  it('shows capture streaming and the sink running, then the stopped sink as an error', async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20))`);
    for (let i = 1; i <= 20; i++) await source.query(`INSERT INTO \`${db}\`.t VALUES (?, ?)`, [i, `v${i}`]);
    // Topics that delete old records (not compacted), so that the test can trim one.
    const capture = ownCapture(s, {
      name: 'capture-clisr',
      prefix,
      include: [`${db}.*`],
      extra: { heartbeatMs: 500, topics: { cleanupPolicy: 'delete' } },
    });
    sink = ownSink(s, { name: sinkName, prefix, targetUrl: mariadb.url });
    services.push(capture, sink);
    sinkConfig = configFile('status', {
      sinkName,
      target: { url: mariadb.url, kind: 'mariadb' },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
    });
    await capture.start();
    await sink.start();
    await waitFor('20 rows in the target', async () => ((await targetCount()) === 20 ? true : undefined));

    const running = await waitFor('status ok', async () => {
      const r = await status();
      return r.code === 0 ? r : undefined;
    });
    const report = JSON.parse(running.stdout);
    expect(report.captures).toMatchObject([{ id: prefix, state: 'streaming', error: false }]);
    expect(report.captures[0].lag.bytes).toBeGreaterThanOrEqual(0);
    // With capture's /metrics: its throughput and process state.
    const withMetrics = await sluice(
      [
        'status',
        '--sink-config',
        sinkConfig,
        '--source',
        s.sourceUrl,
        '--capture-metrics',
        `http://127.0.0.1:${capture.port}/metrics`,
        '--json',
      ],
      { env },
    );
    expect(JSON.parse(withMetrics.stdout).captures[0].process).toMatchObject({ state: 'streaming', lastErrorCode: null });
    expect(report.sinks).toHaveLength(1);
    expect(report.sinks[0]).toMatchObject({ state: 'running', error: false, group: { name: sinkName } });
    expect(report.sinks[0].group.members).toHaveLength(1);
    expect(report.sinks[0].freshnessSeconds).toBeLessThan(30);

    await sink.stop();
    await source.query(`INSERT INTO \`${db}\`.t VALUES (21, 'late'), (22, 'later')`);
    await waitForEndOffset({ brokers: s.kafkaBrokers, topic, min: 24 });
    const stopped = await waitFor('status to see the stopped sink', async () => {
      const r = await status();
      return r.code === 1 ? r : undefined;
    });
    expect(JSON.parse(stopped.stdout).sinks[0]).toMatchObject({ state: 'stopped', error: true });
    const human = await sluice(['status', '--sink-config', sinkConfig], { env });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(new RegExp(`${sinkName} +stopped ! +0 +2 +1 +3 `));
  });

  it('plans a replay, refuses without confirmation and while the sink runs, then rebuilds the target', async () => {
    const dry = await replay('--earliest', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.plan).toHaveLength(1);
    expect(plan.plan[0]).toMatchObject({ topic, partition: 0, to: 0 });
    expect(plan.plan[0].reapply).toBeGreaterThanOrEqual(20);
    expect(plan.refusals).toEqual([]);

    const unconfirmed = await replay('--earliest');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/REPLAY_REFUSED: no terminal to confirm on: run with --yes/);

    await sink.start();
    await waitFor('22 rows in the target', async () => ((await targetCount()) === 22 ? true : undefined));
    const busy = await replay('--earliest', '--yes');
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`REPLAY_REFUSED: sink group ${sinkName} has 1 active member`));
    expect(busy.stderr).toMatch(/stop the sink first/);

    // Damage the target behind the pipeline's back, replay everything, and let the sink rebuild it.
    await sink.stop();
    await target.query(`DELETE FROM \`${db}\`.t WHERE id <= 10`);
    await target.query(`UPDATE \`${db}\`.t SET v = 'wrong'`);
    const done = await replay('--earliest', '--yes');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/offsets of sink .* reset on 1 partitions/);
    await sink.start();
    await waitFor('the replayed target', async () => {
      const [rows] = (await target.query(
        `SELECT COUNT(*) AS n FROM \`${db}\`.t WHERE v LIKE 'v%' OR v LIKE 'late%'`,
      )) as unknown as [{ n: string }[]];
      return Number(rows[0]?.n) === 22 ? true : undefined;
    });
    const verify = await sluice(['verify', '--source', s.sourceUrl, '--sink-config', sinkConfig, '--tables', `${db}.*`]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('moves one partition to an offset, and refuses a time older than the topic keeps', async () => {
    await sink.stop();
    const one = await replay('--to-offset', `${topic}:0:3`, '--yes');
    expect(one.code, one.stderr).toBe(0);
    const admin = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test', 'warn') }).admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: sinkName, topics: [topic] });
      expect(committed?.partitions[0]?.offset).toBe('3');
      // Records before offset 5 are deleted: a time before them can no longer be replayed.
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '5' }] });
    } finally {
      await admin.disconnect();
    }
    const old = await replay('--to-time', '2000-01-01T00:00:00Z', '--yes');
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/REPLAY_REFUSED: .*no longer holds records from that time \(its oldest kept offset is 5\)/);
    const bad = await replay('--earliest', '--latest');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/give exactly one of/);
  });

  it('replays from a time: changes after it are applied again and the target converges', async () => {
    await sink.start();
    await waitFor('the sink caught up', async () => {
      const v = await sluice(['verify', '--source', s.sourceUrl, '--sink-config', sinkConfig, '--tables', `${db}.*`]);
      return v.code === 0 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_100));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1_100));
    await source.query(`UPDATE \`${db}\`.t SET v = 'after' WHERE id <= 5`);
    const afterCount = async () => {
      const [rows] = (await target.query(`SELECT COUNT(*) AS n FROM \`${db}\`.t WHERE v = 'after'`)) as unknown as [
        { n: string }[],
      ];
      return Number(rows[0]?.n);
    };
    await waitFor('the update applied', async () => ((await afterCount()) === 5 ? true : undefined));
    await sink.stop();
    await target.query(`UPDATE \`${db}\`.t SET v = 'wrong' WHERE id <= 5`);
    const r = await replay('--to-time', since, '--yes');
    expect(r.code, r.stderr).toBe(0);
    await sink.start();
    await waitFor('the changes since the time applied again', async () => ((await afterCount()) === 5 ? true : undefined));
    const verify = await sluice(['verify', '--source', s.sourceUrl, '--sink-config', sinkConfig, '--tables', `${db}.*`]);
    expect(verify.code, verify.stdout).toBe(0);
  });
});
