import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/** Filters, declared keys, heartbeats, metrics and the start-up checks of capture. */
describe('capture operation', () => {
  const s = stack();
  const db = uniqueName('iso_op');
  const services: ServiceProcess[] = [];
  let conn: mysql.Connection | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  const capture = (prefix: string, url: string, extra: Record<string, unknown>) => {
    const p = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      sourceUrl: url,
      include: [`${db}.*`],
      extra,
    });
    services.push(p);
    return p;
  };

  it('masks and excludes columns, keys a table by a declared unique key, beats while idle, and serves metrics', async () => {
    conn = await connect(s.sourceUrl);
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.query(
      `CREATE TABLE \`${db}\`.users (id INT PRIMARY KEY, email VARCHAR(100), secret VARCHAR(100), name VARCHAR(20))`,
    );
    await conn.query(`CREATE TABLE \`${db}\`.nokey (code CHAR(3) NOT NULL, v INT)`);
    await conn.query(`CREATE TABLE \`${db}\`.keyless (v INT)`);
    const prefix = uniqueName('op');
    const p = capture(prefix, s.sourceUrl, {
      columns: { exclude: [`${db}.users.secret`], mask: [`${db}.users.email`], maskSalt: 'a-salt-of-16-chars' },
      keys: { [`${db}.nokey`]: ['code'] },
      heartbeatMs: 300,
    });
    await p.start();
    await p.waitLog(/"msg":"capture streaming"/);
    expect(p.log(), 'keyless table refused at start-up with the fix').toMatch(
      new RegExp(`${db}\\.keyless has no primary key and no NOT NULL unique key.*declare a unique key`),
    );
    await conn.query(`INSERT INTO \`${db}\`.users VALUES (1, 'ann@example.com', 'hunter2', 'Ann')`);
    await conn.query(`INSERT INTO \`${db}\`.nokey VALUES ('abc', 1)`);

    const [user] = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.users`,
      expected: 1,
      settleMs: 200,
    });
    const after = user?.value?.after as Record<string, unknown>;
    expect(Object.keys(after)).toEqual(['id', 'email', 'name']);
    expect(after.email).toMatch(/^[0-9a-f]{64}$/);
    expect(after.name).toBe('Ann');
    const [nokey] = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.nokey`,
      expected: 1,
      settleMs: 200,
    });
    expect(nokey?.key).toEqual({ code: 'abc' });

    const beats = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}._heartbeats`,
      expected: 2,
      settleMs: 200,
    });
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(Number(beats[beats.length - 1]?.value?.ts_ms)).toBeGreaterThan(Date.now() - 30_000);

    const metrics = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    expect(metrics).toMatch(/sluice_capture_state\{service="capture"\} 2/);
    expect(metrics).toMatch(/sluice_capture_rows_total\{op="c",service="capture"\} 2/);
    expect(metrics).toMatch(/sluice_capture_source_lag_seconds/);
    expect(p.log(), 'the salt never reaches the log').not.toMatch(/a-salt-of-16-chars/);
  });

  it('refuses a source whose settings cannot be captured, naming the setting', async () => {
    if (!s.mysql8Url) throw new Error('MYSQL8_URL is not set: run make up');
    const admin = await connect(s.mysql8Url);
    try {
      await admin.query('SET GLOBAL binlog_row_image = MINIMAL');
      const p = capture(uniqueName('ck'), s.mysql8Url, {});
      await expect(p.start()).rejects.toThrow(/exited during start-up/);
      expect(p.log()).toMatch(/binlog_row_image is MINIMAL, capture needs FULL: SET GLOBAL binlog_row_image=FULL/);
    } finally {
      await admin.query('SET GLOBAL binlog_row_image = FULL');
      await admin.end();
    }
  });
});
