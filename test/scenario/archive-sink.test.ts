import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  ARCHIVE_FILE,
  escapeName,
  exactAvroOptions,
  hourWindow,
  LEASE_KEY,
  MANIFEST,
  type ManifestEntry,
  readManifest,
  removeTree,
} from '@sluice/core';
import avro from 'avsc';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * The archive sink (issue 16, docs/backup.md) under SIGKILL: while inserts, updates and deletes
 * run on the source (and an ALTER TABLE makes a second schema version), the archive sink is
 * killed twice at random moments and started again. Afterwards every change of the topic is in
 * exactly one archive file, read back with avsc, in order per key, and the files, their layout
 * and the manifest agree.
 */
const s = stack();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Inserts, updates and deletes, one to three statements a transaction; counts the rows changed. */
class MixedLoad {
  private readonly db: string;
  private running = false;
  private workers: Promise<void>[] = [];
  private nextId = 1001;
  private readonly live = new Set<number>();
  changes = 0;
  transactions = 0;

  constructor(db: string) {
    this.db = db;
    for (let id = 1; id <= 200; id++) this.live.add(id);
  }

  start(n: number): void {
    this.running = true;
    for (let w = 0; w < n; w++) this.workers.push(this.worker(w));
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
    const t = `\`${this.db}\`.items`;
    try {
      while (this.running) {
        let changed = 0;
        await c.beginTransaction();
        try {
          for (let k = 1 + Math.floor(Math.random() * 3); k > 0; k--) {
            const r = Math.random();
            let res: mysql.ResultSetHeader;
            if (r < 0.3) {
              const ids = [this.nextId++, this.nextId++];
              [res] = (await c.query(`INSERT INTO ${t} (id, v, note) VALUES ?`, [ids.map((id) => [id, 0, `w${w} new`])])) as [
                mysql.ResultSetHeader,
                unknown,
              ];
              for (const id of ids) this.live.add(id);
            } else if (r < 0.85) {
              [res] = (await c.query(`UPDATE ${t} SET v = v + 1, note = ? WHERE id = ?`, [`w${w} up`, this.pick()])) as [
                mysql.ResultSetHeader,
                unknown,
              ];
            } else {
              const id = this.pick();
              this.live.delete(id);
              [res] = (await c.query(`DELETE FROM ${t} WHERE id = ?`, [id])) as [mysql.ResultSetHeader, unknown];
            }
            changed += res.affectedRows;
          }
          await c.commit();
          this.changes += changed;
          this.transactions++;
        } catch {
          // A deadlock between the two workers: nothing of the transaction happened.
          await c.rollback().catch(() => undefined);
        }
      }
    } finally {
      await c.end();
    }
  }
}

interface ArchivedChange {
  topic: string;
  partition: number;
  offset: bigint;
  schemaId: number;
  envelope: {
    op: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    source: { ts_ms: bigint; db: string; table: string };
  };
}

async function readArchiveFile(path: string): Promise<{ schemaId: string; codec: string; records: ArchivedChange[] }> {
  const records: ArchivedChange[] = [];
  let schemaId = '';
  let codec = '';
  await new Promise<void>((resolve, reject) => {
    avro
      .createFileDecoder(path, {
        parseHook: (x: unknown) => avro.Type.forSchema(x as avro.Schema, { ...exactAvroOptions } as never),
      })
      .on('metadata', (_t: avro.Type, c: string, h: { meta: Record<string, Buffer> }) => {
        codec = c;
        schemaId = String(h.meta['sluice.schema.id']);
      })
      .on('data', (r: ArchivedChange) => records.push(r))
      .on('end', resolve)
      .on('error', reject);
  });
  return { schemaId, codec, records };
}

describe('archive sink', () => {
  const db = uniqueName('iso_arch');
  const prefix = uniqueName('arch');
  const topic = `${prefix}.${db}.items`;
  const root = mkdtempSync(join(tmpdir(), 'sluice-archive-'));
  const services: ServiceProcess[] = [];
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    for (const p of services) await p.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    await removeTree(root);
  });

  it('keeps every change exactly once across SIGKILLs, in order per key, files and manifest consistent', async () => {
    source = await connect(s.sourceUrl);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.items (id INT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(64) NOT NULL)`);
    await source.query(`INSERT INTO \`${db}\`.items VALUES ?`, [Array.from({ length: 200 }, (_, i) => [i + 1, 0, 'start'])]);
    const capture = ownCapture(s, {
      name: 'capture-archive',
      prefix,
      include: [`${db}.*`],
      // Every record stays on the topic, so that the archive can be compared with all of them.
      extra: { topics: { cleanupPolicy: 'delete' } },
    });
    const sink = ownSink(s, {
      name: `archive-${prefix}`,
      prefix,
      targetUrl: '',
      // Small files, closed often; the group hands a killed member's partition on after 6 s.
      extra: { target: { kind: 'archive', path: root, maxFileAgeMs: 700, maxFileBytes: 64 * 1024 }, sessionTimeoutMs: 6_000 },
    });
    services.push(capture, sink);
    await capture.start();
    await sink.start();
    const load = new MixedLoad(db);
    load.start(2);
    for (let kill = 0; kill < 2; kill++) {
      await pause(1_000 + Math.random() * 1_500);
      if (kill === 1) {
        // A second schema version mid-load: files never mix the two.
        await source.query(`ALTER TABLE \`${db}\`.items ADD COLUMN extra VARCHAR(16) NULL`);
      }
      await sink.kill9();
      await pause(Math.random() * 700);
      await sink.start();
    }
    await pause(1_000);
    await load.stop();
    expect(load.transactions).toBeGreaterThan(100);

    // The topic (the 200 snapshot rows, every row change, the ALTER's marker) read while the
    // archive catches up (the last restarted member joins once the killed one's session ends).
    const tableDir = join(root, escapeName(db), 'items');
    const archivedRows = async () => (await readManifest(tableDir)).reduce((n, e) => n + e.rows, 0);
    const [records] = await Promise.all([
      readTopic({ brokers: s.kafkaBrokers, registryUrl: s.registryUrl, topic, expected: 200 + load.changes, settleMs: 1_500 }),
      waitFor(
        'the archive to hold every row change',
        async () => ((await archivedRows()) >= 200 + load.changes ? true : undefined),
        30_000,
      ),
    ]);
    const onTopic = records.filter((r) => r.value !== null);
    const dml = onTopic.filter((r) => ['r', 'c', 'u', 'd'].includes(String(r.value?.op)));
    expect(dml.length).toBe(200 + load.changes);
    await waitFor(
      'the archive to hold every change',
      async () => ((await archivedRows()) >= onTopic.length ? true : undefined),
      20_000,
    );
    // Restarted after each SIGKILL, the sink took its own lease over at once (same sinkName).
    expect(sink.log().match(/archive lease of this sink name \(an earlier run\): taken over/g)?.length).toBe(2);
    expect(readFileSync(join(root, LEASE_KEY), 'utf8')).toContain(`"sinkName":"archive-${prefix}"`);
    // SIGTERM: the sink closes what it has open, gives its lease up and exits 0.
    expect(await sink.stop()).toBe(0);
    expect(existsSync(join(root, LEASE_KEY)), 'the lease is removed on a clean stop').toBe(false);

    const manifest = await readManifest(tableDir);
    const onDisk = readdirSync(tableDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(tableDir, join(e.parentPath, e.name)).split('\\').join('/'))
      .sort();
    // Layout: the manifest lists exactly the files there are, no temp file is left.
    expect(onDisk).toEqual([...manifest.map((e) => e.file), MANIFEST].sort());

    const archived: ArchivedChange[] = [];
    const schemaIds = new Set<number>();
    const byPartition = new Map<number, ManifestEntry[]>();
    for (const e of manifest) {
      const m = ARCHIVE_FILE.exec(e.file);
      expect(m, e.file).not.toBeNull();
      expect(e.file).toBe(`${hourWindow(e.firstSourceTsMs)}/${e.partition}-${e.firstOffset}.avro`);
      expect(hourWindow(e.lastSourceTsMs)).toBe(hourWindow(e.firstSourceTsMs));
      expect([e.db, e.table, e.topic]).toEqual([db, 'items', topic]);
      const path = join(tableDir, e.file);
      expect(statSync(path).size).toBe(e.bytes);
      const f = await readArchiveFile(path);
      expect(f.codec).toBe('deflate');
      // One writer schema version per file, the manifest's.
      expect(f.schemaId).toBe(String(e.schemaId));
      expect(new Set(f.records.map((r) => r.schemaId))).toEqual(new Set([e.schemaId]));
      expect(f.records.length).toBe(e.rows);
      expect(String(f.records[0]?.offset)).toBe(e.firstOffset);
      expect(String(f.records[f.records.length - 1]?.offset)).toBe(e.lastOffset);
      schemaIds.add(e.schemaId);
      byPartition.set(e.partition, [...(byPartition.get(e.partition) ?? []), e]);
      archived.push(...f.records);
    }
    expect(schemaIds.size, 'the ALTER made a second schema version').toBeGreaterThanOrEqual(2);
    // Files of a partition never overlap.
    for (const files of byPartition.values()) {
      files.sort((a, b) => Number(BigInt(a.firstOffset) - BigInt(b.firstOffset)));
      for (let i = 1; i < files.length; i++) {
        expect(BigInt(files[i]?.firstOffset ?? 0)).toBeGreaterThan(BigInt(files[i - 1]?.lastOffset ?? 0));
      }
    }

    // Exactly once: the archive's (partition, offset) are the topic's, each once, with the same envelope.
    const key = (p: number, o: string | bigint) => `${p}:${o}`;
    const archivedKeys = archived.map((r) => key(r.partition, r.offset));
    expect(new Set(archivedKeys).size, 'no change twice').toBe(archivedKeys.length);
    expect(archivedKeys.sort()).toEqual(onTopic.map((r) => key(r.partition, r.offset)).sort());
    const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
    const topicValue = new Map(onTopic.map((r) => [key(r.partition, r.offset), json(r.value)]));
    const differ = archived.filter((r) => json(r.envelope) !== topicValue.get(key(r.partition, r.offset)));
    expect(
      differ.map((r) => key(r.partition, r.offset)),
      "archived envelopes equal the topic's",
    ).toEqual([]);

    // In order per key: each change of a row starts from the image the one before it left.
    archived.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
    const last = new Map<number, Record<string, unknown> | null>();
    const outOfOrder: string[] = [];
    const image = (row: Record<string, unknown> | null | undefined) => (row ? json({ ...row, extra: null }) : null);
    for (const r of archived) {
      const e = r.envelope;
      if (!['r', 'c', 'u', 'd'].includes(e.op)) continue;
      const id = Number((e.after ?? e.before)?.id);
      const prev = last.get(id);
      const fits = e.op === 'r' || e.op === 'c' ? !prev : image(e.before) === image(prev);
      if (!fits) outOfOrder.push(`key ${id}: ${e.op} at offset ${r.offset}`);
      last.set(id, e.op === 'd' ? null : e.after);
    }
    expect(outOfOrder).toEqual([]);
    // What the archive ends with is the source's table.
    const [rows] = (await source.query(`SELECT id, v, note FROM \`${db}\`.items ORDER BY id`)) as [
      { id: number; v: string | number; note: string }[],
      unknown,
    ];
    const final = [...last.entries()]
      .filter(([, row]) => row)
      .map(([id, row]) => ({ id, v: String(row?.v), note: row?.note }))
      .sort((a, b) => a.id - b.id);
    expect(final).toEqual(rows.map((r) => ({ id: r.id, v: String(r.v), note: r.note })));
    expect(sink.log(), 'the sink was killed and started again').toMatch(/starting sink[\s\S]*starting sink[\s\S]*starting sink/);
  });
});
