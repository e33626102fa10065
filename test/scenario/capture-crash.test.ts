import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { VersionLoad } from '../support/load.ts';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Design contract 4, proven with SIGKILL: while a write load runs, the capture is killed three
 * times at random moments and restarted. Afterwards the topic holds every source change exactly
 * once, in order per key, with the content the source has.
 */
const s = stack();

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each([
  { name: 'MariaDB', url: s.sourceUrl },
  { name: 'MySQL 8 (GTID resume)', url: s.mysql8Url },
])('capture killed with SIGKILL under load ($name)', ({ name, url }) => {
  const db = uniqueName('iso_crash');
  const prefix = uniqueName('t');
  const topic = `${prefix}.${db}.acct`;
  let capture: ServiceProcess | undefined;
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    await capture?.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
  });

  it('leaves each change exactly once, in order per key', inOrder, async () => {
    if (!url) throw new Error('MYSQL8_URL is not set: run make up');
    const load = new VersionLoad(url, db, 200);
    await load.createTable();
    capture = ownCapture(s, {
      name: `capture-crash-${name.split(' ')[0]}`,
      prefix,
      sourceUrl: url,
      include: [`${db}.*`],
      // Not compacted, so every version of every key stays readable; rows that existed before
      // capture started are not part of this test, so no snapshot.
      extra: { topics: { cleanupPolicy: 'delete' }, snapshot: { mode: 'never' } },
    });
    await capture.start();
    load.start(2);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((r) => setTimeout(r, 2_000 + Math.random() * 4_000));
      await capture.kill9();
      await new Promise((r) => setTimeout(r, Math.random() * 1_500));
      await capture.start();
    }
    await new Promise((r) => setTimeout(r, 2_000));
    await load.stop();

    source = await connect(url);
    const [rows] = (await source.query(`SELECT id, v, note FROM \`${db}\`.acct ORDER BY id`)) as [
      { id: number; v: string; note: string }[],
      unknown,
    ];
    const expectedChanges = rows.reduce((n, r) => n + Number(r.v), 0);
    expect(load.transactions).toBeGreaterThan(100);

    const records = await readTopic({ brokers: s.kafkaBrokers, registryUrl: s.registryUrl, topic, expected: expectedChanges });
    const history = new Map<number, bigint[]>();
    for (const r of records) {
      expect(r.value?.op, 'only updates were made').toBe('u');
      const after = r.value?.after as { id: number; v: bigint; note: string };
      history.set(after.id, [...(history.get(after.id) ?? []), after.v]);
    }
    const problems: string[] = [];
    for (const row of rows) {
      const got = history.get(row.id) ?? [];
      const want = Array.from({ length: Number(row.v) }, (_, i) => BigInt(i + 1));
      if (JSON.stringify(got.map(String)) !== JSON.stringify(want.map(String))) {
        problems.push(`id ${row.id}: source v=${row.v}, topic versions ${got.join(',')}`);
      }
    }
    expect(problems, capture.tail()).toEqual([]);
    expect(records).toHaveLength(expectedChanges);
    // The last image of each key is the source row, column for column.
    const last = new Map<number, { id: number; v: bigint; note: string }>();
    for (const r of records) {
      const after = r.value?.after as { id: number; v: bigint; note: string };
      last.set(after.id, after);
    }
    for (const row of rows) if (Number(row.v) > 0) expect(last.get(row.id)?.note, `id ${row.id}`).toBe(row.note);
  });
});
