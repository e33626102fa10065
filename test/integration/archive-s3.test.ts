import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ARCHIVE_FILE,
  archiveTableKey,
  exactAvroOptions,
  MANIFEST,
  readTableManifest,
  removeTree,
  S3ArchiveStorage,
  s3Section,
} from '@sluice/core';
import avro from 'avsc';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * The archive sink on an S3-compatible object store (SeaweedFS, started by `make up`): a table's
 * changes archived under a key prefix of the stack's bucket while the sink is SIGKILLed once mid-
 * load; afterwards every change of the topic is in exactly one object, and the objects and the
 * manifest agree. A sink given a wrong secret stops at start-up with a clear error that does not
 * print the secret.
 */
const s = stack();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function s3(): NonNullable<typeof s.s3> {
  if (!s.s3)
    throw new Error("S3_ENDPOINT is not set: start the stack with 'make up' (it starts SeaweedFS and writes .stack/stack.env)");
  return s.s3;
}

async function records(bytes: Buffer): Promise<{ partition: number; offset: bigint; schemaId: number }[]> {
  const out: { partition: number; offset: bigint; schemaId: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from([bytes])
      .pipe(
        new avro.streams.BlockDecoder({
          parseHook: (x: unknown) => avro.Type.forSchema(x as avro.Schema, { ...exactAvroOptions } as never),
        } as never),
      )
      .on('data', (r: { partition: number; offset: bigint; schemaId: number }) => out.push(r))
      .on('end', resolve)
      .on('error', reject);
  });
  return out;
}

describe('archive sink on S3', () => {
  const db = uniqueName('iso_arch_s3');
  const prefix = uniqueName('archs3');
  const keyPrefix = `it/${prefix}`;
  const topic = `${prefix}.${db}.items`;
  const staging = mkdtempSync(join(tmpdir(), 'sluice-s3-staging-'));
  const services: ServiceProcess[] = [];
  let source: mysql.Connection | undefined;
  let storage: S3ArchiveStorage | undefined;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    if (storage) await storage.remove(await storage.list(''));
    await storage?.close();
    await removeTree(staging);
  });

  it('keeps every change in exactly one object across a SIGKILL, objects and manifest consistent', async () => {
    const o = s3();
    const target = {
      kind: 'archive',
      s3: {
        bucket: o.bucket,
        prefix: keyPrefix,
        endpoint: o.endpoint,
        accessKeyId: o.accessKeyId,
        secretAccessKey: o.secretAccessKey,
        stagingPath: staging,
      },
      maxFileAgeMs: 500,
      maxFileBytes: 64 * 1024,
    };
    storage = new S3ArchiveStorage(s3Section.parse({ ...target.s3, stagingPath: join(staging, 'reader') }));
    source = await connect(s.sourceUrl);
    const src = source;
    await src.query(`CREATE DATABASE \`${db}\``);
    await src.query(`CREATE TABLE \`${db}\`.items (id INT PRIMARY KEY, v INT NOT NULL)`);
    await src.query(`INSERT INTO \`${db}\`.items VALUES ?`, [Array.from({ length: 100 }, (_, i) => [i + 1, 0])]);
    const capture = ownCapture(s, {
      name: 'capture-archive-s3',
      prefix,
      include: [`${db}.*`],
      extra: { topics: { cleanupPolicy: 'delete' } },
    });
    const sink = ownSink(s, { name: `archive-${prefix}`, prefix, targetUrl: '', extra: { target, sessionTimeoutMs: 6_000 } });
    services.push(capture, sink);
    await capture.start();
    await sink.start();

    // A steady load: inserts and updates, one statement a transaction.
    let running = true;
    let changes = 0;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const [r] = (await src.query(
          i % 3 === 0
            ? `INSERT INTO \`${db}\`.items VALUES (${1000 + i}, 0)`
            : `UPDATE \`${db}\`.items SET v = v + 1 WHERE id = ${1 + (i % 100)}`,
        )) as [mysql.ResultSetHeader, unknown];
        changes += r.affectedRows;
      }
    })();
    await pause(2_000);
    await sink.kill9();
    await pause(300);
    await sink.start();
    await pause(1_500);
    running = false;
    await load;

    const table = archiveTableKey(db, 'items');
    const archivedRows = async () =>
      (await readTableManifest(storage as S3ArchiveStorage, table)).reduce((n, e) => n + e.rows, 0);
    const [onTopic] = await Promise.all([
      readTopic({ brokers: s.kafkaBrokers, registryUrl: s.registryUrl, topic, expected: 100 + changes, settleMs: 1_000 }),
      waitFor(
        'the archive to hold every change',
        async () => ((await archivedRows()) >= 100 + changes ? true : undefined),
        30_000,
      ),
    ]);
    const dml = onTopic.filter((r) => r.value !== null);
    expect(dml.length).toBe(100 + changes);
    await waitFor(
      'the archive to hold every record',
      async () => ((await archivedRows()) >= dml.length ? true : undefined),
      20_000,
    );
    expect(await sink.stop()).toBe(0);
    expect(sink.log(), 'killed once, started again').toMatch(/starting sink[\s\S]*starting sink/);

    // The objects under the table are exactly the manifest's files and the manifest.
    const manifest = await readTableManifest(storage, table);
    const keys = await storage.list(`${table}/`);
    expect(keys).toEqual([...manifest.map((e) => `${table}/${e.file}`), `${table}/${MANIFEST}`].sort());
    const archived: string[] = [];
    for (const e of manifest) {
      expect(e.file).toMatch(ARCHIVE_FILE);
      const bytes = (await storage.read(`${table}/${e.file}`)) as Buffer;
      expect(bytes.length).toBe(e.bytes);
      const rs = await records(bytes);
      expect(rs.length).toBe(e.rows);
      expect([String(rs[0]?.offset), String(rs[rs.length - 1]?.offset)]).toEqual([e.firstOffset, e.lastOffset]);
      archived.push(...rs.map((r) => `${r.partition}:${r.offset}`));
    }
    // Exactly once: the archive's (partition, offset) pairs are the topic's, each once.
    expect(new Set(archived).size, 'no change twice').toBe(archived.length);
    expect(archived.sort()).toEqual(dml.map((r) => `${r.partition}:${r.offset}`).sort());
    // Nothing is left staged.
    expect(await new S3ArchiveStorage(s3Section.parse({ ...target.s3 })).clearStaging()).toEqual([]);
  });

  it('stops at start-up with a clear error when the secret is wrong, never printing it', async () => {
    const o = s3();
    const wrong = 'not-the-secret-0123456789';
    const sink = ownSink(s, {
      name: `archive-bad-${prefix}`,
      prefix,
      targetUrl: '',
      extra: {
        target: {
          kind: 'archive',
          s3: {
            bucket: o.bucket,
            prefix: keyPrefix,
            endpoint: o.endpoint,
            accessKeyId: o.accessKeyId,
            secretAccessKey: wrong,
            stagingPath: staging,
          },
        },
      },
    });
    services.push(sink);
    await expect(sink.start()).rejects.toThrow(/exited during start-up/);
    expect(await sink.waitExit()).toBe(1);
    const log = sink.log();
    expect(log).toMatch(/ARCHIVE_STORAGE_REFUSED/);
    expect(log).toMatch(/SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied/);
    expect(log).toContain(`s3://${o.bucket}/${keyPrefix}`);
    expect(log).not.toContain(wrong);
  });
});
