import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent, removeTree } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, rowsOf, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * Point-in-time restore (issue 16, docs/backup.md): a table under inserts, updates and deletes
 * while an archive sink runs (SIGKILLed once and started again); a base taken with
 * `sluice backup` early in the load; the source's rows, checksum and GTID position recorded at
 * three instants (the load paused across a second boundary around each, as binlog times are
 * whole seconds), an ALTER TABLE ADD COLUMN between the first two. Then `sluice restore` to each
 * instant into a fresh database of the target MariaDB and of TiDB, and by position: each copy
 * equals the source at that instant row by row; a table created after the base (after T1) is
 * restored from its archive alone from T2 on. And the refusals: a non-empty table without
 * --overwrite, --dry-run changing nothing.
 */
const s = stack();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Inserts, updates and deletes, one to three a transaction, from two connections. */
class MixedLoad {
  private readonly db: string;
  private running = false;
  private workers: Promise<void>[] = [];
  private nextId = 1001;
  private readonly live = new Set<number>();
  /** Set once the ALTER added the column: updates then write it too. */
  extra = false;
  transactions = 0;

  constructor(db: string) {
    this.db = db;
    for (let id = 1; id <= 200; id++) this.live.add(id);
  }

  start(): void {
    this.running = true;
    this.workers = [0, 1].map((w) => this.worker(w));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private pick(): number {
    const ids = [...this.live];
    return ids[Math.floor(Math.random() * ids.length)] ?? 1;
  }

  private async worker(w: number): Promise<void> {
    const c = await connect(s.sourceUrl);
    const t = `${quoteIdent(this.db)}.items`;
    try {
      while (this.running) {
        await c.beginTransaction();
        try {
          for (let k = 1 + Math.floor(Math.random() * 3); k > 0; k--) {
            const r = Math.random();
            if (r < 0.3) {
              const id = this.nextId++;
              await c.query(`INSERT INTO ${t} (id, v, note, amount) VALUES (?, 0, ?, ?)`, [id, `w${w} new`, (id % 997) + 0.25]);
              this.live.add(id);
            } else if (r < 0.85) {
              const set = this.extra ? ', extra = ?' : '';
              const params = this.extra ? [`w${w} up`, `x${w}`, this.pick()] : [`w${w} up`, this.pick()];
              await c.query(`UPDATE ${t} SET v = v + 1, amount = amount + 1.5, note = ?${set} WHERE id = ?`, params);
            } else {
              const id = this.pick();
              this.live.delete(id);
              await c.query(`DELETE FROM ${t} WHERE id = ?`, [id]);
            }
          }
          await c.commit();
          this.transactions++;
        } catch {
          // A deadlock between the two workers: nothing of the transaction happened.
          await c.rollback().catch(() => undefined);
        }
        await pause(3);
      }
    } finally {
      await c.end();
    }
  }
}

interface Instant {
  /** A time inside a second no change was made in (ms). */
  tsMs: number;
  /** @@gtid_binlog_pos then. */
  position: string;
  rows: unknown[];
  checksum: string;
}

const canonical = (rows: unknown[]) =>
  rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' || typeof v === 'number' ? String(v) : v)));
const checksum = (rows: unknown[]) => createHash('sha256').update(canonical(rows).join('\n')).digest('hex');

describe('sluice backup and restore', () => {
  const db = uniqueName('iso_rst');
  const prefix = uniqueName('rst');
  const root = mkdtempSync(join(tmpdir(), 'sluice-restore-'));
  const services: ServiceProcess[] = [];
  const targets = s.targets.filter((t) => t.name === 'mariadb' || t.name === 'tidb');
  const restored: { url: string; db: string }[] = [];
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    for (const r of restored) {
      const c = await connect(r.url);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(r.db)}`);
      await c.end();
    }
    await source?.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
    await source?.end();
    await removeTree(root);
  });

  /** The load paused across a second boundary: the instant is in a second without changes. */
  async function instant(load: MixedLoad): Promise<Instant> {
    const c = source as mysql.Connection;
    await load.stop();
    const next = Math.ceil(Date.now() / 1000) * 1000;
    await pause(next - Date.now() + 50);
    const rows = await rowsOf(c, db, 'items', 'id');
    const [[pos]] = (await c.query({ sql: 'SELECT @@gtid_binlog_pos', rowsAsArray: true })) as [[string][], unknown];
    const at: Instant = { tsMs: next + 500, position: String(pos), rows, checksum: checksum(rows) };
    await pause(next + 1000 - Date.now() + 50);
    load.start();
    return at;
  }

  const common = ['--path', root];
  async function restore(at: string[], url: string, into: string, extra: string[] = []) {
    restored.push({ url, db: into });
    return sluice(['restore', ...common, ...at, '--target', url, '--rename', `${db}=${into}`, ...extra], { timeoutMs: 120_000 });
  }
  async function expectEqual(url: string, into: string, at: Instant, what: string) {
    const c = await connect(url);
    try {
      const rows = await rowsOf(c, into, 'items', 'id');
      expect(canonical(rows), what).toEqual(canonical(at.rows));
      expect(checksum(rows), what).toBe(at.checksum);
    } finally {
      await c.end();
    }
  }

  it('restores to three instants into MariaDB and TiDB, by time and by position, across an ALTER and a SIGKILL', async () => {
    expect(targets.map((t) => t.name).sort()).toEqual(['mariadb', 'tidb']);
    source = await connect(s.sourceUrl);
    await source.query(`CREATE DATABASE ${quoteIdent(db)}`);
    await source.query(
      `CREATE TABLE ${quoteIdent(db)}.items (id INT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(64) NOT NULL, amount DECIMAL(12,2) NOT NULL)`,
    );
    await source.query(`INSERT INTO ${quoteIdent(db)}.items VALUES ?`, [
      Array.from({ length: 200 }, (_, i) => [i + 1, 0, 'start', i + 0.5]),
    ]);
    // Two partitions: a restore merges them into source order (an ALTER's marker is on both).
    const capture = ownCapture(s, {
      name: 'capture-restore',
      prefix,
      include: [`${db}.*`],
      extra: { topics: { partitions: 2, replicationFactor: 1, cleanupPolicy: 'compact' } },
    });
    const sink = ownSink(s, {
      name: `archive-${prefix}`,
      prefix,
      targetUrl: '',
      // Files open for 4 s: most span an instant, so a restore cuts inside files.
      extra: { target: { kind: 'archive', path: root, maxFileAgeMs: 4_000, maxFileBytes: 256 * 1024 }, sessionTimeoutMs: 6_000 },
    });
    services.push(capture, sink);
    await capture.start();
    // The snapshot in Kafka before the base is taken (on a loaded machine it takes a while).
    await capture.waitLog(/"msg":"capture streaming"/);
    await sink.start();
    const load = new MixedLoad(db);
    load.start();
    await pause(1_500);

    // The base, early in the load.
    const backup = await sluice(
      ['backup', ...common, '--prefix', prefix, '--brokers', s.kafkaBrokers.join(','), '--registry', s.registryUrl, '--json'],
      { timeoutMs: 60_000 },
    );
    expect(backup.code, backup.stderr).toBe(0);
    const base = JSON.parse(backup.stdout) as {
      id: string;
      tables: { db: string; rows: number; partitions: { endOffset: string }[] }[];
    };
    expect(base.tables.map((t) => t.db)).toEqual([db]);
    expect(base.tables[0]?.rows).toBeGreaterThan(200);

    await pause(1_000);
    const t1 = await instant(load);
    // A table created after the base: restored from its archive alone (it starts at offset 0).
    await source.query(`CREATE TABLE ${quoteIdent(db)}.later (id INT PRIMARY KEY, v INT NOT NULL)`);
    await source.query(`INSERT INTO ${quoteIdent(db)}.later VALUES ?`, [Array.from({ length: 40 }, (_, i) => [i + 1, i])]);
    await source.query(`UPDATE ${quoteIdent(db)}.later SET v = v + 100 WHERE id <= 10`);
    await source.query(`DELETE FROM ${quoteIdent(db)}.later WHERE id > 35`);
    const laterRows = canonical(await rowsOf(source, db, 'later', 'id'));
    await pause(700);
    await sink.kill9();
    await pause(500);
    await source.query(`ALTER TABLE ${quoteIdent(db)}.items ADD COLUMN extra VARCHAR(16) NULL`);
    load.extra = true;
    await sink.start();
    await pause(1_200);
    const t2 = await instant(load);
    await pause(1_500);
    const t3 = await instant(load);
    await pause(1_200);
    await load.stop();
    expect(load.transactions).toBeGreaterThan(200);
    expect(t1.rows.length, 'no extra column at T1').toBeGreaterThan(0);
    expect((t1.rows[0] as unknown[]).length).toBe(4);
    expect((t3.rows[0] as unknown[]).length).toBe(5);

    // Until the archive holds changes past T3 (files close every 700 ms; the restarted member waits out the killed one's session).
    await waitFor(
      'the archive to reach past T3',
      async () => {
        const r = await sluice(['restore', ...common, '--to-time', new Date(t3.tsMs).toISOString(), '--dry-run']);
        return r.code === 0 ? true : undefined;
      },
      40_000,
    );

    // --dry-run: the plan, nothing written.
    const dry = await sluice([
      'restore',
      ...common,
      '--to-time',
      new Date(t2.tsMs).toISOString(),
      '--target',
      targets[0]?.url as string,
      '--rename',
      `${db}=${db}_dry`,
      '--dry-run',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`base ${base.id}`);
    expect(dry.stdout).toMatch(/total: [\d,]+ base rows and at most [\d,]+ archived changes/);
    expect(dry.stdout).toContain(`${db}.later: not in the base; restored from its archive`);
    const m = await connect(targets.find((t) => t.name === 'mariadb')?.url as string);
    try {
      const [dbs] = (await m.query('SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = ?', [
        `${db}_dry`,
      ])) as [{ n: number }[], unknown];
      expect(Number(dbs[0]?.n), '--dry-run created nothing').toBe(0);
    } finally {
      await m.end();
    }

    const instants = [t1, t2, t3];
    for (const t of targets) {
      const tag = t.name === 'tidb' ? 't' : 'm';
      for (const [i, at] of instants.entries()) {
        const into = `${db}_${tag}${i + 1}`;
        const r = await restore(['--to-time', new Date(at.tsMs).toISOString()], t.url, into);
        expect(r.code, `${t.name} T${i + 1}: ${r.stderr}`).toBe(0);
        // The base and, after it, archived changes (files of the killed and restarted sink; past the ALTER from T2 on).
        expect(r.stdout).toMatch(
          /restored [12] tables? to time .* from base .*: [\d,]+ base rows \+ [1-9][\d,]* archived changes/,
        );
        await expectEqual(t.url, into, at, `${t.name} at T${i + 1}`);
        const c = await connect(t.url);
        try {
          const [has] = (await c.query(
            'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
            [into, 'later'],
          )) as [{ n: number }[], unknown];
          // Created after T1: not there at T1, equal to the source from T2 on.
          if (i === 0) expect(Number(has[0]?.n), `${t.name} T1 has no table later`).toBe(0);
          else expect(canonical(await rowsOf(c, into, 'later', 'id')), `${t.name} later at T${i + 1}`).toEqual(laterRows);
        } finally {
          await c.end();
        }
      }
    }
    const maria = targets.find((t) => t.name === 'mariadb')?.url as string;
    // By position: exact, whatever the clock says.
    const byPos = await restore(['--to-position', t2.position], maria, `${db}_p2`);
    expect(byPos.code, byPos.stderr).toBe(0);
    await expectEqual(maria, `${db}_p2`, t2, 'mariadb at the position of T2');

    // Refused: the table holds rows, no --overwrite; nothing changes.
    const refused = await restore(['--to-time', new Date(t3.tsMs).toISOString()], maria, `${db}_m1`);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('RESTORE_REFUSED');
    await expectEqual(maria, `${db}_m1`, t1, 'the refused restore left T1');
    // With --overwrite: replaced.
    const over = await restore(['--to-time', new Date(t3.tsMs).toISOString()], maria, `${db}_m1`, ['--overwrite']);
    expect(over.code, over.stderr).toBe(0);
    await expectEqual(maria, `${db}_m1`, t3, 'overwritten with T3');
    expect(sink.log(), 'the archive sink was killed and started again').toMatch(/starting sink[\s\S]*starting sink/);
  });
});
