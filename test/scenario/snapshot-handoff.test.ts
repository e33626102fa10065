import type mysql from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { VersionLoad } from '../support/load.ts';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic, waitForEndOffset } from '../support/topics.ts';

/**
 * The snapshot and the stream meet at one binlog position while writes continue: each key must
 * show one snapshot read (`r`) at some version s, then exactly the updates s+1 .. final.
 */
describe('snapshot then stream, under concurrent writes', () => {
  const s = stack();
  let capture: ServiceProcess | undefined;
  let source: mysql.Connection | undefined;
  const dbs: string[] = [];
  const loads: VersionLoad[] = [];

  afterEach(async () => {
    for (const l of loads.splice(0)) await l.stop();
    await capture?.stop();
    source ??= await connect(s.sourceUrl);
    for (const db of dbs.splice(0)) await source.query(`DROP DATABASE IF EXISTS \`${db}\``);
  });

  const start = async (db: string, prefix: string, chunkRows = 100) => {
    capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      include: [`${db}.*`],
      extra: { topics: { cleanupPolicy: 'delete' }, snapshot: { mode: 'initial', chunkRows } },
    });
    await capture.start();
  };

  const sourceRows = async (db: string) => {
    source ??= await connect(s.sourceUrl);
    const [rows] = (await source.query(`SELECT id, v, note FROM \`${db}\`.acct ORDER BY id`)) as [
      { id: number; v: string; note: string }[],
      unknown,
    ];
    return rows;
  };

  it('misses and doubles nothing at the hand-off', async () => {
    const db = uniqueName('iso_snap');
    const prefix = uniqueName('sn');
    dbs.push(db);
    const load = new VersionLoad(s.sourceUrl, db, 3000);
    loads.push(load);
    await load.createTable();
    load.start(2);
    await new Promise((r) => setTimeout(r, 1_000));
    await start(db, prefix);
    await new Promise((r) => setTimeout(r, 4_000));
    await load.stop();
    const rows = await sourceRows(db);

    // Every key has one r record; the updates after it continue from its version.
    const records = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.acct`,
      expected: rows.length,
      settleMs: 4_000,
    });
    const history = new Map<number, string[]>();
    for (const r of records) {
      const after = r.value?.after as { id: number; v: bigint };
      history.set(after.id, [...(history.get(after.id) ?? []), `${r.value?.op}${after.v}`]);
    }
    const problems: string[] = [];
    for (const row of rows) {
      const h = history.get(row.id) ?? [];
      const first = h[0] ?? '';
      const snapV = Number(first.slice(1));
      const want = [`r${snapV}`, ...Array.from({ length: Number(row.v) - snapV }, (_, i) => `u${snapV + i + 1}`)];
      if (!first.startsWith('r') || JSON.stringify(h) !== JSON.stringify(want))
        problems.push(`id ${row.id} (v=${row.v}): ${h.join(' ')}`);
    }
    expect(problems.slice(0, 20), capture?.tail()).toEqual([]);
    // 3,000 rows in chunks of 100: the final chunk is full, and its last read still says so.
    const marks = records
      .filter((r) => r.value?.op === 'r')
      .map((r) => (r.value?.source as { snapshot: string } | undefined)?.snapshot);
    expect(marks.filter((m) => m === 'last').length, 'one snapshot read marked last').toBe(1);
    expect(marks[marks.length - 1], 'the final snapshot read is the one marked last').toBe('last');
    expect(load.transactions).toBeGreaterThan(50);
    expect(records.filter((r) => r.value?.op === 'u').length, 'updates during and after the snapshot').toBeGreaterThan(0);
  });

  it('resumes a snapshot killed midway and converges', async () => {
    const db = uniqueName('iso_snapkill');
    const prefix = uniqueName('sk');
    dbs.push(db);
    const load = new VersionLoad(s.sourceUrl, db, 20_000);
    loads.push(load);
    await load.createTable();
    load.start(1);
    await start(db, prefix, 50);
    // Killed once part of the table is in Kafka, so the second run has to resume the snapshot.
    const reached = await waitForEndOffset({ brokers: s.kafkaBrokers, topic: `${prefix}.${db}.acct`, min: 2_000 });
    await capture?.kill9();
    expect(reached, 'killed before the snapshot finished').toBeLessThan(20_000);
    await capture?.start();
    await new Promise((r) => setTimeout(r, 3_000));
    await load.stop();
    expect(capture?.log(), 'the second run resumed the snapshot').toMatch(/"resumed":true/);
    const rows = await sourceRows(db);
    const records = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.acct`,
      expected: rows.length,
      settleMs: 4_000,
    });
    const last = new Map<number, { v: bigint; note: string }>();
    for (const r of records) {
      const after = r.value?.after as { id: number; v: bigint; note: string };
      last.set(after.id, after);
    }
    const wrong = rows.filter((row) => String(last.get(row.id)?.v) !== String(row.v) || last.get(row.id)?.note !== row.note);
    expect(wrong.map((w) => `id ${w.id}: source v=${w.v}, topic ${last.get(w.id)?.v}`).slice(0, 20), capture?.tail()).toEqual([]);
  });
});
