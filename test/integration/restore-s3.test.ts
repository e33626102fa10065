import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONFIG_RESOURCE,
  createKafka,
  createLogger,
  LEASE_KEY,
  quoteIdent,
  removeTree,
  S3ArchiveStorage,
  s3Section,
  tableTopic,
} from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { sluice } from '../support/cli.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, rowsOf, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * Backup and restore through the archive's other storage kind: an archive sink writing to the
 * stack's S3-compatible store (SeaweedFS), `sluice backup --url s3://…` into the same bucket
 * prefix, then `sluice restore --url s3://…` to an instant into the target MariaDB, equal to the
 * source at that instant. Both commands reach the archive only through ArchiveStorage. While the
 * sink runs, its lease keeps a second archive sink and `sluice archive prune` off the archive
 * (ARCHIVE_IN_USE); a topic that deletes old records is refused by `sluice backup`.
 */
const s = stack();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('backup and restore on S3', () => {
  const db = uniqueName('iso_rs3');
  const into = `${db}_r`;
  const prefix = uniqueName('rs3');
  const keyPrefix = `it/${prefix}`;
  const staging = mkdtempSync(join(tmpdir(), 'sluice-rs3-staging-'));
  const services: ServiceProcess[] = [];
  const maria = s.targets.find((t) => t.name === 'mariadb')?.url as string;
  let source: mysql.Connection | undefined;
  let storage: S3ArchiveStorage | undefined;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    await source?.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
    await source?.end();
    const t = await connect(maria);
    await t.query(`DROP DATABASE IF EXISTS ${quoteIdent(into)}`);
    await t.end();
    if (storage) await storage.remove(await storage.list(''));
    await storage?.close();
    await removeTree(staging);
  });

  it('restores an instant from a base and archive kept in a bucket', async () => {
    const o = s.s3;
    if (!o) throw new Error("S3_ENDPOINT is not set: start the stack with 'make up' (it starts SeaweedFS)");
    const s3 = {
      bucket: o.bucket,
      prefix: keyPrefix,
      endpoint: o.endpoint,
      accessKeyId: o.accessKeyId,
      secretAccessKey: o.secretAccessKey,
    };
    storage = new S3ArchiveStorage(s3Section.parse({ ...s3, stagingPath: join(staging, 'reader') }));
    const where = ['--url', `s3://${o.bucket}/${keyPrefix}`, '--s3-endpoint', o.endpoint, '--s3-access-key-id', o.accessKeyId];
    // The secret from the environment, never a flag.
    const env = { SLUICE_ARCHIVE_S3_SECRET_ACCESS_KEY: o.secretAccessKey };

    source = await connect(s.sourceUrl);
    const src = source;
    const t = `${quoteIdent(db)}.items`;
    await src.query(`CREATE DATABASE ${quoteIdent(db)}`);
    await src.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(20) NULL)`);
    await src.query(`INSERT INTO ${t} VALUES ?`, [Array.from({ length: 100 }, (_, i) => [i + 1, 0, 'start'])]);
    const capture = ownCapture(s, { name: 'capture-restore-s3', prefix, include: [`${db}.*`] });
    const sink = ownSink(s, {
      name: `archive-${prefix}`,
      prefix,
      targetUrl: '',
      extra: { target: { kind: 'archive', s3: { ...s3, stagingPath: staging }, maxFileAgeMs: 500 }, sessionTimeoutMs: 6_000 },
    });
    services.push(capture, sink);
    await capture.start();
    await sink.start();
    const change = async (n: number, from: number) => {
      for (let i = from; i < from + n; i++) {
        if (i % 4 === 0) await src.query(`INSERT INTO ${t} VALUES (?, ?, 'new')`, [1000 + i, i]);
        else if (i % 4 === 3) await src.query(`DELETE FROM ${t} WHERE id = ?`, [1 + (i % 100)]);
        else await src.query(`UPDATE ${t} SET v = v + 1, note = ? WHERE id = ?`, [`u${i}`, 1 + ((i * 7) % 100)]);
      }
    };
    await change(100, 0);
    await waitFor(
      'the capture to publish the first changes',
      async () => ((await storage?.list(''))?.length ? true : undefined),
      30_000,
    );

    const backup = await sluice(
      ['backup', ...where, '--prefix', prefix, '--brokers', s.kafkaBrokers.join(','), '--registry', s.registryUrl, '--json'],
      { env, timeoutMs: 60_000 },
    );
    expect(backup.code, backup.stderr).toBe(0);
    const base = JSON.parse(backup.stdout) as { id: string; tables: { rows: number }[] };
    expect(base.tables[0]?.rows).toBeGreaterThan(100);
    expect(await storage.list(`base=${base.id}/`)).toContain(`base=${base.id}/base.json`);

    // One writer per archive: a second sink of another name refuses to start, a prune refuses.
    const lease = JSON.parse(String(await storage.read(LEASE_KEY))) as { sinkName: string };
    expect(lease.sinkName).toBe(`archive-${prefix}`);
    const second = ownSink(s, {
      name: `archive2-${prefix}`,
      prefix,
      targetUrl: '',
      extra: { target: { kind: 'archive', s3: { ...s3, stagingPath: join(staging, 'second') } } },
    });
    services.push(second);
    await expect(second.start()).rejects.toThrow(/exited during start-up/);
    expect(await second.waitExit()).toBe(1);
    expect(second.log()).toMatch(new RegExp(`ARCHIVE_IN_USE.*archive sink archive-${prefix} \\(instance`));
    const prune = await sluice(['archive', 'prune', ...where, '--archive-days', '1'], { env });
    expect(prune.code).toBe(2);
    expect(prune.stderr).toMatch(new RegExp(`ARCHIVE_IN_USE.*archive-${prefix}.*last heartbeat`));

    await change(150, 100);
    // The instant: inside a second without changes.
    const next = Math.ceil(Date.now() / 1000) * 1000;
    await pause(next - Date.now() + 50);
    const rows = await rowsOf(src, db, 'items', 'id');
    const at = next + 500;
    await pause(next + 1050 - Date.now());
    await change(100, 250);

    await waitFor(
      'the archive to reach past the instant',
      async () => {
        const r = await sluice(['restore', ...where, '--to-time', String(at), '--dry-run'], { env });
        return r.code === 0 ? true : undefined;
      },
      30_000,
    );
    const r = await sluice(['restore', ...where, '--to-time', String(at), '--target', maria, '--rename', `${db}=${into}`], {
      env,
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`from base ${base.id}: [\\d,]+ base rows \\+ [1-9][\\d,]* archived changes`));
    const c = await connect(maria);
    try {
      expect(await rowsOf(c, into, 'items', 'id')).toEqual(rows);
    } finally {
      await c.end();
    }

    // A topic that deletes old records: no base from it.
    const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test-admin', 'warn') });
    const admin = kafka.admin();
    await admin.connect();
    const topic = tableTopic(prefix, db, 'items');
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: CONFIG_RESOURCE.TOPIC,
            name: topic,
            configEntries: [
              { name: 'cleanup.policy', value: 'delete' },
              { name: 'retention.ms', value: '86400000' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const refused = await sluice(
      ['backup', ...where, '--prefix', prefix, '--brokers', s.kafkaBrokers.join(','), '--registry', s.registryUrl],
      { env, timeoutMs: 60_000 },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`BACKUP_TOPIC_NOT_COMPACTED`);
    expect(refused.stderr).toContain(`${topic} (cleanup.policy=delete, retention.ms=86400000, retention.bytes=-1)`);
    expect(
      (await storage.list('')).filter((k) => k.endsWith('/base.json')),
      'no second base',
    ).toEqual([`base=${base.id}/base.json`]);

    // A clean stop gives the archive free.
    expect(await sink.stop()).toBe(0);
    expect(await storage.read(LEASE_KEY)).toBeUndefined();
  });
});
