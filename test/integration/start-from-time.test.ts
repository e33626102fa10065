import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * `startFrom: { time }` on MariaDB and on MySQL 8: the capture finds the first transaction at or
 * after the time in the binlog, says where it starts, and publishes exactly the changes after it.
 */
const s = stack();

const untilNextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 50));

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each([
  ['MariaDB', () => s.sourceUrl],
  ['MySQL 8', () => s.mysql8Url],
])('startFrom time on %s', (flavor, url) => {
  const db = uniqueName('iso_sft');
  const services: ServiceProcess[] = [];
  let conn: mysql.Connection | undefined;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  it('publishes exactly the changes at or after the time, and reports the position it chose', inOrder, async () => {
    const sourceUrl = url();
    if (!sourceUrl) throw new Error(`no ${flavor} source in the stack: run make up`);
    conn = await connect(sourceUrl);
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(10))`);
    await conn.query(`INSERT INTO \`${db}\`.t VALUES (1, 'before'), (2, 'before'), (3, 'before')`);
    await conn.query(`UPDATE \`${db}\`.t SET v = 'before2' WHERE id = 3`);
    // Binlog times have second resolution: the time is the start of a second after all of the above.
    await untilNextSecond();
    const time = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000).toISOString();
    await untilNextSecond();
    await untilNextSecond();
    await conn.query(`INSERT INTO \`${db}\`.t VALUES (4, 'after')`);
    await conn.query(`UPDATE \`${db}\`.t SET v = 'after' WHERE id = 1`);
    await conn.query(`DELETE FROM \`${db}\`.t WHERE id = 2`);
    await conn.query(`ALTER TABLE \`${db}\`.t ADD COLUMN w INT NOT NULL DEFAULT 7`);
    await conn.query(`INSERT INTO \`${db}\`.t VALUES (5, 'after', 8)`);

    const prefix = uniqueName('sft');
    const p = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      sourceUrl,
      include: [`${db}.*`],
      extra: { snapshot: { mode: 'never' }, startFrom: { time } },
    });
    services.push(p);
    await p.start();
    const records = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.t`,
      expected: 5,
      settleMs: 1500,
    });
    const id = (r: Record<string, unknown> | null | undefined) => (r as { id?: number } | null)?.id;
    expect(
      records
        // Markers of the DDL (op s) and the delete's tombstone (no value) aside.
        .filter((r) => r.value && r.value.op !== 's')
        .map((r) => [
          r.value?.op,
          id(r.value?.before as never),
          id(r.value?.after as never),
          (r.value?.after as { v?: string })?.v,
        ]),
    ).toEqual([
      ['c', undefined, 4, 'after'],
      ['u', 1, 1, 'after'],
      ['d', 2, undefined, undefined],
      ['c', undefined, 5, 'after'],
    ]);
    expect(p.log()).toMatch(
      /"startFrom":"[^"]+","position":"[^"]+\.\d+:\d+[^"]*","firstTransaction":"[^"]+".*starting at the first transaction at or after it/,
    );
  });

  it('starts at the end of the binlog for a time after every transaction', inOrder, async () => {
    const prefix = uniqueName('sfu');
    const p = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      sourceUrl: url(),
      include: [`${db}.*`],
      extra: { snapshot: { mode: 'never' }, startFrom: { time: new Date(Date.now() + 3_600_000).toISOString() } },
    });
    services.push(p);
    await p.start();
    expect(p.log()).toMatch(/no transaction at or after it yet; starting at the end of the binlog/);
  });
});
