import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { configFile, sluice, sluiceBackground } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import { freePort, type ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * `sluice verify` against a pipeline of its own: equal data says equal; rows deleted, changed
 * and added in the target behind the pipeline's back are found row by row and repaired by
 * `--fix apply`; rows the sink has not applied yet are lag, not a difference.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];

describe('sluice verify', () => {
  const db = uniqueName('iso_cliv');
  const targetDb = `${db}_t`;
  const prefix = uniqueName('cliv');
  const sinkName = `sink-${prefix}`;
  const services: ServiceProcess[] = [];
  let source: mysql.Connection;
  let target: mysql.Connection;
  let sink: ServiceProcess;
  let sinkConfig: string;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await target?.query(`DROP DATABASE IF EXISTS \`${targetDb}\``);
    await target?.query('DELETE FROM _sluice.checkpoints WHERE sink = ?', [sinkName]).catch(() => undefined);
    await target?.query('DELETE FROM _sluice.verify_results WHERE sink = ?', [sinkName]).catch(() => undefined);
    await source?.end();
    await target?.end();
  });

  const verifyArgs = () => [
    'verify',
    '--source',
    s.sourceUrl,
    '--sink-config',
    sinkConfig,
    '--tables',
    `${db}.*`,
    '--chunk-rows',
    '500',
  ];
  const verify = (...extra: string[]) => sluice([...verifyArgs(), ...extra]);

  it('says equal when the target holds what the source holds', async () => {
    if (!mariadb) throw new Error('no MariaDB target in the stack');
    source = await connect(s.sourceUrl);
    target = await connect(mariadb.url);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query('SET SESSION max_recursive_iterations = 100000');
    await source.query(
      `CREATE TABLE \`${db}\`.items (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, price DECIMAL(10,2), note TEXT NULL)`,
    );
    await source.query(`CREATE TABLE \`${db}\`.pairs (a INT, b VARCHAR(10), v DOUBLE, PRIMARY KEY (a, b))`);
    await source.query(
      `INSERT INTO \`${db}\`.items WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
       SELECT i, CONCAT('item ', i), i * 1.25, IF(i % 7 = 0, NULL, REPEAT('x', i % 40)) FROM n`,
    );
    await source.query(
      `INSERT INTO \`${db}\`.pairs WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
       SELECT i % 10, CONCAT('k', i), i / 7 FROM n`,
    );
    const routes = [{ from: `${db}.*`, to: `${targetDb}.*` }];
    const capture = ownCapture(s, { name: 'capture-cliv', prefix, include: [`${db}.*`], extra: { heartbeatMs: 500 } });
    sink = ownSink(s, { name: sinkName, prefix, targetUrl: mariadb.url, extra: { routes } });
    services.push(capture, sink);
    sinkConfig = configFile('verify', {
      sinkName,
      target: { url: mariadb.url, kind: 'mariadb' },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
      routes,
    });
    await capture.start();
    await sink.start();
    await waitFor(
      'the snapshot in the target',
      async () => {
        const [[a], [b]] = (await Promise.all([
          target.query(`SELECT COUNT(*) AS n FROM \`${targetDb}\`.items`),
          target.query(`SELECT COUNT(*) AS n FROM \`${targetDb}\`.pairs`),
        ]).catch(() => [[[]], [[]]])) as unknown as [[{ n: string }[]], [{ n: string }[]]];
        return Number(a[0]?.n) === 3000 && Number(b[0]?.n) === 600 ? true : undefined;
      },
      90_000,
    );

    const r = await verify('--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.equal).toBe(true);
    expect(
      report.tables.map((t: { source: string; target: string; status: string; sourceRows: number; ranges: number }) => [
        t.source,
        t.target,
        t.status,
        t.sourceRows,
        t.ranges,
      ]),
    ).toEqual([
      [`${db}.items`, `${targetDb}.items`, 'equal', 3000, 7],
      [`${db}.pairs`, `${targetDb}.pairs`, 'equal', 600, 2],
    ]);
  });

  it('finds a row deleted, a row changed and a row added behind the pipeline, and --fix apply repairs them', async () => {
    await target.query(`DELETE FROM \`${targetDb}\`.items WHERE id = 17`);
    await target.query(`UPDATE \`${targetDb}\`.items SET name = 'tampered', note = NULL WHERE id = 1500`);
    await target.query(`INSERT INTO \`${targetDb}\`.items VALUES (99999, 'stray', 1.00, 'not in the source')`);
    await target.query(`UPDATE \`${targetDb}\`.pairs SET v = v + 1e-9 WHERE a = 3 AND b = 'k13'`);

    const r = await verify('--json', '--lag-timeout', '20');
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    const items = report.tables.find((t: { source: string }) => t.source === `${db}.items`);
    expect(items.status).toBe('different');
    expect(items.rows).toEqual([
      { kind: 'missing', key: { id: 17 } },
      { kind: 'changed', key: { id: 1500 }, columns: ['name', 'note'] },
      { kind: 'extra', key: { id: 99999 } },
    ]);
    const pairs = report.tables.find((t: { source: string }) => t.source === `${db}.pairs`);
    expect(pairs.rows).toEqual([{ kind: 'changed', key: { a: 3, b: 'k13' }, columns: ['v'] }]);
    // The sink was idle and its heartbeats passed the start position: no lag note.
    expect(report.notes).toEqual([]);

    const printed = await verify('--fix', 'print', '--lag-timeout', '20');
    expect(printed.code, printed.stderr).toBe(1);
    expect(printed.stdout).toContain(`DELETE FROM \`${targetDb}\`.\`items\` WHERE \`id\` = 99999;`);
    expect(printed.stdout).toContain(
      `UPDATE \`${targetDb}\`.\`items\` SET \`name\` = 'item 1500', \`note\` = '${'x'.repeat(1500 % 40)}' WHERE \`id\` = 1500;`,
    );
    expect(printed.stdout).toContain(
      `INSERT INTO \`${targetDb}\`.\`items\` (\`id\`, \`name\`, \`price\`, \`note\`) VALUES (17, 'item 17', '21.25', 'xxxxxxxxxxxxxxxxx');`,
    );
    expect(printed.stdout).toMatch(/missing in target +id=17/);
    // Printing changes nothing.
    const [[stray]] = (await target.query(`SELECT COUNT(*) AS n FROM \`${targetDb}\`.items WHERE id = 99999`)) as unknown as [
      { n: string }[],
    ];
    expect(Number(stray?.n)).toBe(1);

    const applied = await verify('--fix', 'apply', '--lag-timeout', '20');
    expect(applied.code, applied.stderr).toBe(1);
    expect(applied.stdout).toContain('repair: 4 statements applied to the target');
    const again = await verify();
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(/2 tables, 0 differ; 3,600 source rows/);
  });

  it('takes rows and tables the sink has not applied yet for lag, not for a difference', async () => {
    await sink.stop();
    await source.query(`UPDATE \`${db}\`.items SET price = price + 1 WHERE id BETWEEN 100 AND 140`);
    await source.query(`INSERT INTO \`${db}\`.items VALUES (5000, 'late', 9.99, NULL)`);
    // A table the sink has not created in the target yet is lag too.
    await source.query(`CREATE TABLE \`${db}\`.fresh (id INT PRIMARY KEY, v VARCHAR(10))`);
    await source.query(`INSERT INTO \`${db}\`.fresh VALUES (1, 'a'), (2, 'b')`);
    const pending = verify('--lag-timeout', '60');
    await new Promise((r) => setTimeout(r, 3000));
    await sink.start();
    const r = await pending;
    expect(r.code, `${r.stdout}\n${r.stderr}\n${sink.tail()}`).toBe(0);
    expect(r.stdout).toMatch(/3 tables, 0 differ; 3,603 source rows/);
  });

  it('stays equal while the application keeps writing, and still finds a difference planted meanwhile', async () => {
    // A steady load on both tables: inserts of new rows, updates and deletes of old ones, with
    // rows 2990.. and pairs a = 9 left alone for the planted differences.
    let stop = false;
    let statements = 0;
    const writer = await connect(s.sourceUrl);
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const id = 1 + ((i * 37) % 2900);
        await writer.query(`UPDATE \`${db}\`.items SET price = price + 0.01, note = ? WHERE id = ?`, [`load ${i}`, id]);
        await writer.query(`INSERT INTO \`${db}\`.items VALUES (?, ?, ?, NULL)`, [10_000 + i, `new ${i}`, i / 100]);
        if (i % 3 === 0) await writer.query(`DELETE FROM \`${db}\`.items WHERE id = ?`, [10_000 + i - 2]);
        await writer.query(`UPDATE \`${db}\`.pairs SET v = v + 1 WHERE a = ? AND b = ?`, [i % 9, `k${(i % 60) * 10 + (i % 9)}`]);
        statements += i % 3 === 0 ? 4 : 3;
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    try {
      for (let run = 0; run < 3; run++) {
        const r = await verify('--json', '--lag-timeout', '60');
        expect(r.code, `run ${run}: ${r.stdout}\n${r.stderr}`).toBe(0);
        const statuses = JSON.parse(r.stdout).tables.map((t: { status: string }) => t.status);
        expect(statuses.length).toBe(3);
        expect(
          statuses.every((x: string) => x === 'equal'),
          statuses.join(),
        ).toBe(true);
      }
      await target.query(`UPDATE \`${targetDb}\`.items SET name = 'planted' WHERE id = 2995`);
      await target.query(`DELETE FROM \`${targetDb}\`.pairs WHERE a = 9 AND b = 'k9'`);
      const r = await verify('--json', '--lag-timeout', '60');
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      const report = JSON.parse(r.stdout);
      const rows = (t: string) => report.tables.find((x: { source: string }) => x.source === `${db}.${t}`)?.rows;
      expect(rows('items')).toEqual([{ kind: 'changed', key: { id: 2995 }, columns: ['name'] }]);
      expect(rows('pairs')).toEqual([{ kind: 'missing', key: { a: 9, b: 'k9' } }]);
      expect(statements).toBeGreaterThan(100);
    } finally {
      stop = true;
      await load;
      await writer.end();
    }
    const fixed = await verify('--fix', 'apply', '--lag-timeout', '60');
    expect(fixed.stdout).toContain('repair: 2 statements applied to the target');
    const again = await verify('--lag-timeout', '60');
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
  });

  it('checks time slices: finds and repairs the rows of the one slice that differs, and nothing outside the window', async () => {
    await source.query(
      `CREATE TABLE \`${db}\`.events (id INT PRIMARY KEY, v VARCHAR(20), updated_at DATETIME(3) NOT NULL, KEY (updated_at))`,
    );
    // 3 hours of rows, 40 per hour, and rows before the window.
    await source.query(
      `INSERT INTO \`${db}\`.events WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 159)
       SELECT i, CONCAT('e', i), TIMESTAMP('2026-11-30 09:00:00') + INTERVAL (i * 90) SECOND FROM n`,
    );
    await waitFor('events in the target', async () => {
      const [[r]] = (await target
        .query(`SELECT COUNT(*) AS n FROM \`${targetDb}\`.events`)
        .catch(() => [[{ n: 0 }]])) as unknown as [{ n: string }[]];
      return Number(r?.n) === 160 ? true : undefined;
    });
    // In the 11:00-12:00 slice: one row changed, one deleted. Before the window: one changed.
    await target.query(`UPDATE \`${targetDb}\`.events SET v = 'planted' WHERE id = 85`);
    await target.query(`DELETE FROM \`${targetDb}\`.events WHERE id = 100`);
    await target.query(`UPDATE \`${targetDb}\`.events SET v = 'outside' WHERE id = 3`);
    const window = ['--time-column', 'updated_at', '--since', '2026-11-30T10:00:00Z', '--until', '2026-11-30T13:00:00Z'];
    const r = await verify('--json', '--lag-timeout', '30', ...window);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const report = JSON.parse(r.stdout);
    const events = report.tables.find((t: { source: string }) => t.source === `${db}.events`);
    expect(events.slices).toEqual([{ from: '2026-11-30 11:00:00.000000', to: '2026-11-30 12:00:00.000000', rows: 2 }]);
    expect(events.rows).toEqual([
      { kind: 'changed', key: { id: 85 }, columns: ['v'] },
      { kind: 'missing', key: { id: 100 } },
    ]);
    // 3 slices x 40 rows; the tables without the column are skipped, and say why.
    expect(events.sourceRows).toBe(120);
    const items = report.tables.find((t: { source: string }) => t.source === `${db}.items`);
    expect(items).toMatchObject({ status: 'skipped', notes: ['no column updated_at: not part of a time-slice verify'] });
    const human = await verify('--lag-timeout', '30', ...window);
    expect(human.stdout).toContain('slice differs    [2026-11-30 11:00:00.000000, 2026-11-30 12:00:00.000000): 2 rows');

    const fixed = await verify('--fix', 'apply', '--lag-timeout', '30', ...window);
    expect(fixed.stdout).toContain('repair: 2 statements applied to the target');
    expect((await verify('--lag-timeout', '30', ...window)).code).toBe(0);
    // The row outside the window was not looked at: a whole-table verify still finds it.
    const whole = await verify('--json', '--lag-timeout', '30', '--tables', `${db}.events`);
    expect(JSON.parse(whole.stdout).tables.find((t: { source: string }) => t.source === `${db}.events`).rows).toEqual([
      { kind: 'changed', key: { id: 3 }, columns: ['v'] },
    ]);
    await target.query(`UPDATE \`${targetDb}\`.events SET v = 'e3' WHERE id = 3`);
    const bad = await verify('--time-column', 'updated_at', '--since', '2026-11-30 10:00:00');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /CONFIG_INVALID: sluice verify: --since takes an ISO 8601 time with a zone .* got "2026-11-30 10:00:00"/,
    );
  });

  it('--follow reports a difference planted in the target within its interval, in metrics and in sluice status', async () => {
    const port = freePort();
    const follow = sluiceBackground([...verifyArgs(), '--follow', '--interval', '2s', '--metrics-port', String(port)]);
    const metric = async (name: string) => {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      return text.split('\n').find((l) => l.startsWith(name));
    };
    try {
      await waitFor('a first pass, all equal', async () =>
        (await metric('sluice_verify_tables_different{').catch(() => undefined))?.endsWith(' 0') ? true : undefined,
      );
      await target.query(`UPDATE \`${targetDb}\`.items SET name = 'planted again' WHERE id = 2996`);
      const planted = Date.now();
      await waitFor(
        'the planted row in the metrics',
        async () => ((await metric(`sluice_verify_rows_different{table="${db}.items"`)) ?? '').endsWith(' 1') || undefined,
        30_000,
      );
      // Within a pass plus the interval (each pass here takes a few seconds).
      expect(Date.now() - planted).toBeLessThan(30_000);
      const status = await sluice(['status', '--sink-config', sinkConfig, '--json']);
      expect(status.code).toBe(1);
      const sink = JSON.parse(status.stdout).sinks[0];
      expect(sink.verify.different).toEqual([{ table: `${db}.items`, status: 'different', rows: 1 }]);
      expect(sink.reason).toMatch(new RegExp(`^verify at \\S+ found 1 of \\d+ tables different: ${db}\\.items \\(1 rows\\)`));
      await target.query(`UPDATE \`${targetDb}\`.items SET name = 'item 2996' WHERE id = 2996`);
      await waitFor(
        'the repair seen',
        async () => ((await metric(`sluice_verify_rows_different{table="${db}.items"`)) ?? '').endsWith(' 0') || undefined,
        30_000,
      );
      expect(follow.output()).toMatch(/verify: \d+ tables, 1 differ: .*items \(1 rows\)/);
    } finally {
      expect(await follow.stop()).toBe(0);
    }
  });

  it('says what is wrong with its settings, with exit code 2', async () => {
    const r = await sluice(['verify', '--target', 'mysql://x@127.0.0.1:1/']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CONFIG_INVALID: no source: pass --source/);
    const bad = await sluice(['verify', '--chunk-rows', 'many', '--source', s.sourceUrl, '--target', mariadb?.url ?? '']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--chunk-rows must be a whole number/);
    const down = await sluice(['verify', '--source', 'mysql://u:secret@127.0.0.1:1/', '--target', mariadb?.url ?? '']);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/SOURCE_UNREACHABLE: cannot connect to the source mysql:\/\/u:\*\*\*@127\.0\.0\.1:1\//);
    expect(down.stderr).not.toContain('secret');
  });
});
