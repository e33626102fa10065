import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Issue 15: both directions at once between MariaDB (A) and MySQL 8 (B). Each sink writes its
 * origin marker first in every target transaction; each capture leaves out the transactions
 * that carry it. Writers on both servers at once, each on its own rows: both sides converge, and
 * no topic holds a change that was not written on its own side (no echo).
 */
const s = stack();

describe('bidirectional replication, MariaDB <-> MySQL 8', () => {
  const db = uniqueName('iso_bi');
  const ck = `${db}_ck`;
  const pa = uniqueName('bia');
  const pb = uniqueName('bib');
  const services: ServiceProcess[] = [];
  let a: mysql.Connection | undefined;
  let b: mysql.Connection | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    for (const c of [a, b]) {
      await c?.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await c?.query(`DROP DATABASE IF EXISTS \`${ck}\``);
      await c?.end();
    }
  });

  it('converges with writes on both sides at once, with no echo in any topic', async () => {
    if (!s.mysql8Url) throw new Error('MYSQL8_URL is not set: run make up');
    a = await connect(s.sourceUrl);
    b = await connect(s.mysql8Url);
    const t = `\`${db}\`.acct`;
    for (const c of [a, b]) {
      await c.query(`CREATE DATABASE \`${db}\``);
      await c.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, v INT NOT NULL, who VARCHAR(8) NOT NULL)`);
      await c.query(`INSERT INTO ${t} VALUES ?`, [Array.from({ length: 40 }, (_, i) => [i + 1, 0, i % 2 ? 'a' : 'b'])]);
    }
    const common = { kafka: { brokers: s.kafkaBrokers }, schemaRegistry: { url: s.registryUrl } };
    const capture = (name: string, prefix: string, url: string, serverId: number) =>
      new ServiceProcess(
        'capture',
        name,
        {
          ...common,
          captureId: prefix,
          source: { url, serverId },
          topicPrefix: prefix,
          tables: { include: [`${db}.*`] },
          snapshot: { mode: 'never' },
          skipTransactionsMarkedBy: [`${ck}.origin_marker`],
        },
        freePort(),
      );
    const sink = (name: string, prefix: string, url: string, kind: string) =>
      new ServiceProcess(
        'sink',
        name,
        {
          ...common,
          sinkName: name,
          target: { url, kind },
          topicPrefix: prefix,
          topicRefreshMs: 500,
          originMarker: true,
          checkpointSchema: ck,
        },
        freePort(),
      );
    const id = 57000 + (process.pid % 400) * 2;
    const capA = capture('bi-capture-a', pa, s.sourceUrl, id);
    const capB = capture('bi-capture-b', pb, s.mysql8Url, id + 1);
    const toB = sink(`${pa}-to-b`, pa, s.mysql8Url, 'mysql');
    const toA = sink(`${pb}-to-a`, pb, s.sourceUrl, 'mariadb');
    services.push(capA, capB, toB, toA);
    for (const p of services) await p.start();

    // A writes odd ids (and new ids 1001, 1003, ...), B even ones (1002, 1004, ...), at once.
    const writer = async (c: mysql.Connection, who: 'a' | 'b', odd: boolean) => {
      let updates = 0;
      let changes = 0;
      for (let i = 0; i < 40; i++) {
        const own = 2 * (i % 20) + (odd ? 1 : 2);
        await c.query(`UPDATE ${t} SET v = v + 1, who = ? WHERE id = ?`, [who, own]);
        updates++;
        changes++;
        if (i % 4 === 0) {
          await c.query(`INSERT INTO ${t} VALUES (?, 0, ?)`, [1000 + 2 * i + (odd ? 1 : 2), who]);
          changes++;
        }
        if (i % 10 === 5) {
          const [r] = (await c.query(`DELETE FROM ${t} WHERE id = ?`, [1000 + 2 * (i - 5) + (odd ? 1 : 2)])) as unknown as [
            { affectedRows: number },
          ];
          changes += r.affectedRows;
        }
      }
      return { updates, changes };
    };
    const [wa, wb] = await Promise.all([writer(a, 'a', true), writer(b, 'b', false)]);

    // Both sides change until each has the other's writes: wait until they read the same.
    const read = async (c: mysql.Connection) =>
      JSON.stringify((await c.query({ sql: `SELECT id, v, who FROM ${t} ORDER BY id`, rowsAsArray: true }))[0]);
    await waitFor(
      'A and B to converge',
      async () => ((await read(a as mysql.Connection)) === (await read(b as mysql.Connection)) ? true : undefined),
      90_000,
    ).catch(() => undefined);
    expect(await read(b), `${capA.tail()}\n${capB.tail()}`).toBe(await read(a));
    const [[{ total }]] = (await a.query(`SELECT SUM(v) AS total FROM ${t}`)) as unknown as [[{ total: string }]];
    expect(Number(total), 'every update applied once on each side').toBe(wa.updates + wb.updates);

    // No echo: each side's topic holds only what was written on that side.
    for (const [prefix, who, made] of [
      [pa, 'a', wa.changes],
      [pb, 'b', wb.changes],
    ] as const) {
      const records = await readTopic({
        brokers: s.kafkaBrokers,
        registryUrl: s.registryUrl,
        topic: `${prefix}.${db}.acct`,
        expected: 40,
        settleMs: 2_000,
      });
      const foreign = records.filter((r) => r.value && ((r.value.after ?? r.value.before) as { who: string }).who !== who);
      expect(
        foreign.map((r) => JSON.stringify(r.value?.after ?? r.value?.before)),
        `${prefix}: changes of the other side`,
      ).toEqual([]);
      expect(records.filter((r) => r.value).length, `${prefix}: one record per change made on its side`).toBe(made);
    }
    const marked = async (p: ServiceProcess) => {
      const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
      return Number(/^sluice_capture_marked_transactions_total\S* (\d+)/m.exec(text)?.[1] ?? 0);
    };
    expect(await marked(capA)).toBeGreaterThan(0);
    expect(await marked(capB)).toBeGreaterThan(0);
  });
});
