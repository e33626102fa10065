import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Issue 15: the TiDB query capture killed with SIGKILL three times under a load of inserts,
 * updates (each a new version v of its row) and deletes. A query capture publishes each row's
 * state at each read point, so versions between two read points fold into one record; what must
 * hold is that no version is ever published twice (versions strictly increase per key), nothing
 * follows a key's delete, and the topic replayed equals the table, row by row.
 */
const s = stack();
const tidb = s.targets.find((t) => t.name === 'tidb');

/** Inserts new ids, bumps v of existing ones, deletes some; ids are never reused. */
class TidbLoad {
  private running = false;
  private workers: Promise<void>[] = [];
  private nextId = 1_000;
  private readonly url: string;
  private readonly table: string;
  transactions = 0;

  constructor(url: string, table: string) {
    this.url = url;
    this.table = table;
  }

  start(n: number): void {
    this.running = true;
    for (let w = 0; w < n; w++) this.workers.push(this.worker());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async worker(): Promise<void> {
    const c = await connect(this.url);
    try {
      while (this.running) {
        const r = Math.random();
        const id = 1 + Math.floor(Math.random() * 200);
        await c.beginTransaction();
        if (r < 0.2) {
          const fresh = this.nextId++;
          await c.query(`INSERT INTO ${this.table} (id, v, note) VALUES (?, 1, ?)`, [fresh, `new ${fresh}`]);
        } else if (r < 0.25) {
          await c.query(`DELETE FROM ${this.table} WHERE id = ?`, [id]);
        } else {
          await c.query(`UPDATE ${this.table} SET v = v + 1, note = ? WHERE id IN (?, ?)`, [
            `tx ${this.transactions}`,
            id,
            id + 1,
          ]);
        }
        await c.commit().catch(async () => c.rollback());
        this.transactions++;
      }
    } finally {
      await c.end();
    }
  }
}

describe('TiDB query capture killed with SIGKILL under load', () => {
  const db = uniqueName('iso_tqcrash');
  const prefix = uniqueName('tqc');
  const topic = `${prefix}.${db}.acct`;
  let capture: ServiceProcess | undefined;
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    await capture?.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
  });

  it('publishes no version twice, nothing after a delete, and the topic replays to the table', async () => {
    if (!tidb) throw new Error('the stack has no TiDB');
    source = await connect(tidb.url);
    const table = `\`${db}\`.acct`;
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(
      `CREATE TABLE ${table} (id INT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(64) NOT NULL,
         changed TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`,
    );
    await source.query(`INSERT INTO ${table} (id, v, note) VALUES ?`, [
      Array.from({ length: 201 }, (_, i) => [i + 1, 1, 'start']),
    ]);
    capture = ownCapture(s, {
      name: 'capture-tidb-crash',
      prefix,
      sourceUrl: tidb.url,
      include: [`${db}.*`],
      // Every record stays (not compacted), so a version published twice would be seen.
      extra: { source: { kind: 'tidb', query: { intervalMs: 200, chunkRows: 100 } }, topics: { cleanupPolicy: 'delete' } },
    });
    await capture.start();
    const load = new TidbLoad(tidb.url, table);
    load.start(2);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 2_500));
      await capture.kill9();
      await new Promise((r) => setTimeout(r, Math.random() * 1_000));
      await capture.start();
    }
    await new Promise((r) => setTimeout(r, 1_000));
    await load.stop();
    expect(load.transactions).toBeGreaterThan(100);

    const [rows] = (await source.query(`SELECT id, v, note FROM ${table} ORDER BY id`)) as [
      { id: number; v: number; note: string }[],
      unknown,
    ];
    const want = JSON.stringify(rows.map((r) => [r.id, String(r.v), r.note]));
    let replayed = '';
    let problems: string[] = [];
    let records = 0;
    for (let attempt = 0; attempt < 20 && replayed !== want; attempt++) {
      const got = await readTopic({
        brokers: s.kafkaBrokers,
        registryUrl: s.registryUrl,
        topic,
        expected: rows.length,
        settleMs: 1_500,
      });
      records = got.length;
      const state = new Map<number, { v: bigint; note: string }>();
      const deleted = new Set<number>();
      problems = [];
      for (const r of got) {
        const op = r.value?.op;
        const image = (op === 'd' ? r.value?.before : r.value?.after) as { id: number; v: bigint; note: string };
        if (deleted.has(image.id)) problems.push(`id ${image.id}: op ${op} after its delete`);
        if (op === 'd') {
          state.delete(image.id);
          deleted.add(image.id);
          continue;
        }
        const was = state.get(image.id);
        if (was && image.v <= was.v)
          problems.push(`id ${image.id}: version ${image.v} after ${was.v} (published twice or out of order)`);
        state.set(image.id, { v: image.v, note: image.note });
      }
      replayed = JSON.stringify([...state.entries()].sort((a, b) => a[0] - b[0]).map(([id, r]) => [id, String(r.v), r.note]));
    }
    expect(problems, capture.tail()).toEqual([]);
    expect(records).toBeGreaterThan(rows.length);
    expect(replayed, capture.tail()).toBe(want);
  });
});
