import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  createLogger,
  escapeName,
  exactAvroOptions,
  hourWindow,
  LocalArchiveStorage,
  MANIFEST,
  pruneArchive,
  readManifest,
  recoverTable,
  removeTree,
  tableDir,
  unescapeName,
} from '@sluice/core';
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { type ArchiveRecord, ArchiveStore, type ArchiveType, archiveType } from './archive-store.ts';

const roots: string[] = [];
const tempRoot = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  roots.push(d);
  return d;
};
afterAll(() => Promise.all(roots.map((d) => removeTree(d))));

const log = createLogger('test', 'silent');

const envelopeSchema = (extra: Record<string, unknown>[] = []) => ({
  type: 'record',
  name: 'Envelope',
  namespace: 'iso.t',
  fields: [
    {
      name: 'before',
      type: [
        'null',
        {
          type: 'record',
          name: 'Value',
          fields: [
            { name: 'id', type: 'int', 'sluice.sqlType': 'int' },
            { name: 'v', type: 'long' },
            { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 30, scale: 2 } },
            ...extra,
          ],
        },
      ],
    },
    { name: 'after', type: ['null', 'Value'] },
    { name: 'op', type: 'string' },
    {
      name: 'source',
      type: {
        type: 'record',
        name: 'Source',
        fields: [
          { name: 'db', type: 'string' },
          { name: 'table', type: 'string' },
          { name: 'ts_ms', type: 'long' },
          { name: 'gtid', type: ['null', 'string'] },
          { name: 'file', type: 'string' },
          { name: 'pos', type: 'long' },
        ],
      },
    },
  ],
});

const T0 = Date.UTC(2026, 11, 2, 7, 59, 58);
const types = new Map<number, ArchiveType>([
  [1, archiveType(envelopeSchema())],
  [2, archiveType(envelopeSchema([{ name: 'note', type: ['null', 'string'], default: null }]))],
]);

function rec(offset: number, opts: { schemaId?: number; ts?: number; db?: string; table?: string } = {}): ArchiveRecord {
  const schemaId = opts.schemaId ?? 1;
  const row = {
    id: offset % 7,
    v: BigInt(offset) * 10_000_000_000n,
    d: '12345678901234567890.12',
    ...(schemaId === 2 ? { note: 'x' } : {}),
  };
  const type = types.get(schemaId) as ArchiveType;
  const envelope = {
    before: null,
    after: row,
    op: 'c',
    source: {
      db: opts.db ?? 'db',
      table: opts.table ?? 'tab',
      ts_ms: BigInt(opts.ts ?? T0),
      gtid: `0-1-${offset}`,
      file: 'b.1',
      pos: 4n,
    },
  };
  return {
    topic: 't.db.tab',
    partition: 0,
    offset: String(offset),
    timestamp: 1,
    schemaId,
    type,
    envelope: type.envelope.toBuffer(envelope),
    source: envelope.source,
  };
}

function store(root: string, commits: string[], over: Partial<ConstructorParameters<typeof ArchiveStore>[0]> = {}) {
  return new ArchiveStore({
    storage: new LocalArchiveStorage(root),
    maxFileBytes: 1 << 20,
    maxFileAgeMs: 60_000,
    codec: 'deflate',
    include: ['*.*'],
    exclude: [],
    log,
    commit: async (_t, _p, o) => {
      commits.push(o);
    },
    ...over,
  });
}

async function readBack(path: string): Promise<{ header: Record<string, unknown>; records: Record<string, unknown>[] }> {
  const records: Record<string, unknown>[] = [];
  let header: Record<string, unknown> = {};
  await new Promise<void>((resolve, reject) => {
    avro
      .createFileDecoder(path, {
        parseHook: (s: unknown) => avro.Type.forSchema(s as avro.Schema, { ...exactAvroOptions } as never),
      })
      .on('metadata', (_type: avro.Type, codec: string, h: { meta: Record<string, Buffer> }) => {
        header = { codec, schema: JSON.parse(String(h.meta['avro.schema'])), id: String(h.meta['sluice.schema.id']) };
      })
      .on('data', (r: Record<string, unknown>) => records.push(r))
      .on('end', resolve)
      .on('error', reject);
  });
  return { header, records };
}

const files = async (dir: string) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

describe('archive layout', () => {
  it('escapes any database or table name into one safe directory name, reversibly', () => {
    for (const name of ['plain_Name-1', 'a.b', '..', '.', 'x/y', 'semi;colon', 'spa ce', 'naïve', '表格', '%41', '~t', '😀']) {
      const e = escapeName(name);
      expect(e).toMatch(/^[A-Za-z0-9_%-]+$/);
      expect(e.startsWith('.')).toBe(false);
      expect(unescapeName(e)).toBe(name);
    }
    expect(escapeName('a.b')).toBe('a%2Eb');
    expect(escapeName('x/y')).toBe('x%2Fy');
    // 64 characters of 4-byte UTF-8: 768 bytes escaped; cut and hashed, under 255 bytes, distinct.
    const long = '😀'.repeat(64);
    const other = `${'😀'.repeat(63)}😁`;
    expect(escapeName(long).length).toBeLessThanOrEqual(120);
    expect(escapeName(long)).toMatch(/^(%[0-9A-F]{2})+~[0-9a-f]{16}$/);
    expect(escapeName(long)).not.toBe(escapeName(other));
    expect(unescapeName(escapeName(long))).toBeUndefined();
    expect(escapeName('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('puts a change in the UTC hour window of its source time', () => {
    expect(hourWindow(Date.UTC(2026, 0, 5, 23, 59, 59, 999))).toBe('date=2026-01-05/hour=23');
    expect(hourWindow(Date.UTC(2026, 0, 6, 0, 0, 0))).toBe('date=2026-01-06/hour=00');
  });
});

describe('archive store', () => {
  it('reads only the source block of an envelope, to its end (the rest is written as it came)', () => {
    const r = rec(3, { ts: T0 + 1 });
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), r.envelope]);
    const { source, end } = (types.get(1) as ArchiveType).readSource(framed, 5);
    expect(end).toBe(framed.length);
    expect(source).toMatchObject({ db: 'db', table: 'tab', ts_ms: BigInt(T0 + 1), gtid: '0-1-3' });
  });

  it('writes container files per table, hour and schema version, with a manifest, and commits after each', async () => {
    const root = tempRoot('archive-');
    const commits: string[] = [];
    const s = store(root, commits);
    await s.recover();
    // 0-1 in hour 07, 2-3 in hour 08, 4 a new schema version, 5 a tombstone, 6 another table.
    await s.handle('t.db.tab', 0, [
      { offset: '0', record: rec(0) },
      { offset: '1', record: rec(1) },
      { offset: '2', record: rec(2, { ts: T0 + 5_000 }) },
    ]);
    expect(commits).toEqual(['2']);
    await s.handle('t.db.tab', 0, [
      { offset: '3', record: rec(3, { ts: T0 + 6_000 }) },
      { offset: '4', record: rec(4, { ts: T0 + 6_000, schemaId: 2 }) },
      { offset: '5', record: null },
    ]);
    expect(commits).toEqual(['2', '4']);
    await s.closeAll();
    expect(commits).toEqual(['2', '4', '6']);
    const dir = tableDir(root, 'db', 'tab');
    expect(await files(dir)).toEqual([
      'date=2026-12-02/hour=07/0-0.avro',
      'date=2026-12-02/hour=08/0-2.avro',
      'date=2026-12-02/hour=08/0-4.avro',
      MANIFEST,
    ]);
    const m = await readManifest(dir);
    expect(m.map((e) => [e.file, e.firstOffset, e.lastOffset, e.rows, e.schemaId])).toEqual([
      ['date=2026-12-02/hour=07/0-0.avro', '0', '1', 2, 1],
      ['date=2026-12-02/hour=08/0-2.avro', '2', '3', 2, 1],
      ['date=2026-12-02/hour=08/0-4.avro', '4', '4', 1, 2],
    ]);
    expect(m[1]?.firstSourceTsMs).toBe(T0 + 5_000);
    expect(m[1]?.lastPosition).toBe('0-1-3');
    const { header, records } = await readBack(join(dir, 'date=2026-12-02/hour=08/0-4.avro'));
    expect(header.codec).toBe('deflate');
    expect(header.id).toBe('2');
    expect(m[2]?.bytes).toBe(readFileSync(join(dir, 'date=2026-12-02/hour=08/0-4.avro')).length);
    const r = records[0] as { offset: bigint; envelope: { after: { v: bigint; d: string; note: string } } };
    expect(r.offset).toBe(4n);
    // Exact values: 64-bit longs and decimals as they were.
    expect(r.envelope.after).toEqual({ id: 4, v: 40_000_000_000n, d: '12345678901234567890.12', note: 'x' });
  });

  it('keeps selected tables only; a partition with nothing open commits what it skipped', async () => {
    const root = tempRoot('archive-');
    const commits: string[] = [];
    const s = store(root, commits, { exclude: ['db.tab'] });
    await s.recover();
    expect(s.selected('db', 'tab')).toBe(false);
    expect(s.selected('db', 'other')).toBe(true);
    await s.handle('t.db.tab', 0, [{ offset: '0', record: null }]);
    expect(commits).toEqual(['1']);
  });

  it('rotates at the size cap', async () => {
    const root = tempRoot('archive-');
    const s = store(root, [], { maxFileBytes: 64 * 1024, codec: 'null' });
    await s.recover();
    const batch = Array.from({ length: 4000 }, (_, i) => ({ offset: String(i), record: rec(i) }));
    for (let i = 0; i < batch.length; i += 100) await s.handle('t.db.tab', 0, batch.slice(i, i + 100));
    await s.closeAll();
    const m = await readManifest(tableDir(root, 'db', 'tab'));
    expect(m.length).toBeGreaterThan(2);
    expect(m.reduce((n, e) => n + e.rows, 0)).toBe(4000);
    for (const [i, e] of m.entries()) if (i > 0) expect(BigInt(e.firstOffset)).toBe(BigInt(m[i - 1]?.lastOffset ?? 0) + 1n);
  });
});

describe('archive recovery after a kill', () => {
  const setup = async () => {
    const root = tempRoot('archive-');
    const commits: string[] = [];
    const s = store(root, commits);
    await s.recover();
    await s.handle('t.db.tab', 0, [
      { offset: '0', record: rec(0) },
      { offset: '1', record: rec(1) },
    ]);
    await s.closeAll();
    return { root, dir: tableDir(root, 'db', 'tab') };
  };

  it('killed before the rename: the temp file is removed and its records are written again', async () => {
    const { root, dir } = await setup();
    writeFileSync(join(dir, 'date=2026-12-02/hour=07/0-2.avro.tmp'), 'half a file');
    const commits: string[] = [];
    const s = store(root, commits);
    await s.recover();
    expect(await files(dir)).not.toContain('date=2026-12-02/hour=07/0-2.avro.tmp');
    // The group's committed offset was 2: records from there are read again and kept once.
    await s.handle('t.db.tab', 0, [{ offset: '2', record: rec(2) }]);
    await s.closeAll();
    expect((await readManifest(dir)).map((e) => [e.firstOffset, e.lastOffset])).toEqual([
      ['0', '1'],
      ['2', '2'],
    ]);
  });

  it('killed after the rename, before the manifest: the unlisted file is removed and written again', async () => {
    const { root, dir } = await setup();
    const orphan = 'date=2026-12-02/hour=07/0-2.avro';
    writeFileSync(join(dir, orphan), readFileSync(join(dir, 'date=2026-12-02/hour=07/0-0.avro')));
    const storage = new LocalArchiveStorage(root);
    const r = await recoverTable(storage, 'db/tab', await storage.list(''));
    expect(r.removedOrphans).toEqual([orphan]);
    expect(readdirSync(join(dir, 'date=2026-12-02/hour=07'))).toEqual(['0-0.avro']);
    expect(r.entries).toHaveLength(1);
  });

  it('killed after the manifest, before the commit: records read again are skipped, not kept twice', async () => {
    const { root, dir } = await setup();
    const commits: string[] = [];
    const s = store(root, commits);
    await s.recover();
    // Kafka still had offset 0 committed: 0 and 1 come again, then 2.
    await s.handle('t.db.tab', 0, [
      { offset: '0', record: rec(0) },
      { offset: '1', record: rec(1) },
      { offset: '2', record: rec(2) },
    ]);
    await s.closeAll();
    const m = await readManifest(dir);
    expect(m.map((e) => [e.file, e.firstOffset, e.lastOffset, e.rows])).toEqual([
      ['date=2026-12-02/hour=07/0-0.avro', '0', '1', 2],
      ['date=2026-12-02/hour=07/0-2.avro', '2', '2', 1],
    ]);
    expect(commits).toEqual(['3']);
  });

  it('a partition given to another member drops its open file (never durable, never committed)', async () => {
    const root = tempRoot('archive-');
    const commits: string[] = [];
    const s = store(root, commits);
    await s.recover();
    await s.handle('t.db.tab', 0, [{ offset: '0', record: rec(0) }]);
    expect(s.openFiles).toBe(1);
    await s.assigned({ 't.db.tab': [1] });
    expect(s.openFiles).toBe(0);
    expect(await files(root)).toEqual([]);
    expect(commits).toEqual([]);
  });
});

describe('archive retention in the sink', () => {
  it('removes old files no kept base needs, manifest first, keeping each partition newest', async () => {
    const root = tempRoot('archive-');
    const s = store(root, []);
    await s.recover();
    const DAY = 86_400_000;
    // Three files of one partition: hour 07 (0-1), hour 08 (2-3), hour 08 schema 2 (4).
    await s.handle('t.db.tab', 0, [
      { offset: '0', record: rec(0) },
      { offset: '1', record: rec(1) },
      { offset: '2', record: rec(2, { ts: T0 + 5_000 }) },
      { offset: '3', record: rec(3, { ts: T0 + 6_000 }) },
      { offset: '4', record: rec(4, { ts: T0 + 6_000, schemaId: 2 }) },
    ]);
    await s.closeAll();
    const storage = new LocalArchiveStorage(root);
    // A base that ends at offset 3 protects the file holding 2-3.
    await storage.write(
      'base=b1/base.json',
      JSON.stringify({
        id: 'b1',
        createdAtMs: T0,
        tables: [{ topic: 't.db.tab', partitions: [{ partition: 0, endOffset: '3' }] }],
      }),
    );
    const r = await s.prune({ archiveDays: 1 }, T0 + 10 * DAY);
    expect(r).toEqual({ files: 1, rows: 2 });
    const dir = tableDir(root, 'db', 'tab');
    expect((await readManifest(dir)).map((e) => e.file)).toEqual([
      'date=2026-12-02/hour=08/0-2.avro',
      'date=2026-12-02/hour=08/0-4.avro',
    ]);
    expect(await files(dir)).toEqual(['date=2026-12-02/hour=08/0-2.avro', 'date=2026-12-02/hour=08/0-4.avro', MANIFEST]);
    // Without the base, the file of 2-3 goes too; the partition's newest never does.
    await storage.remove(['base=b1/base.json']);
    expect(await s.prune({ archiveDays: 1 }, T0 + 10 * DAY)).toEqual({ files: 1, rows: 2 });
    expect((await readManifest(dir)).map((e) => e.file)).toEqual(['date=2026-12-02/hour=08/0-4.avro']);
    // A base that cannot be read stops the round.
    await storage.write('base=bad/base.json', '{');
    expect((await s.prune({ archiveDays: 1 }, T0 + 10 * DAY)).refused).toMatch(/base bad/);
  });

  it('a prune by another writer between two closes stays done: the sink re-reads the stored manifest', async () => {
    const root = tempRoot('archive-');
    const s = store(root, []);
    await s.recover();
    const DAY = 86_400_000;
    // Two files of hour 07 and 08, then one of schema 2: closed as the next one opens.
    await s.handle('t.db.tab', 0, [
      { offset: '0', record: rec(0) },
      { offset: '1', record: rec(1, { ts: T0 + 5_000 }) },
      { offset: '2', record: rec(2, { ts: T0 + 5_000, schemaId: 2 }) },
    ]);
    const dir = tableDir(root, 'db', 'tab');
    const names = async () => (await readManifest(dir)).map((e) => e.file);
    expect(await names()).toEqual(['date=2026-12-02/hour=07/0-0.avro', 'date=2026-12-02/hour=08/0-1.avro']);
    // `sluice archive prune --force` while the sink runs: the two old files go (schema 2's is open).
    const plan = await pruneArchive(new LocalArchiveStorage(root), { archiveDays: 1 }, { nowMs: Date.now() + 400 * DAY });
    expect(plan.files[0]?.entries.map((e) => e.file)).toEqual(['date=2026-12-02/hour=07/0-0.avro']);
    expect(await names()).toEqual(['date=2026-12-02/hour=08/0-1.avro']);
    // The next close rewrites the manifest: the pruned file is not listed again (it is gone from the storage).
    await s.closeAll();
    expect(await names()).toEqual(['date=2026-12-02/hour=08/0-1.avro', 'date=2026-12-02/hour=08/0-2.avro']);
    expect(await files(dir)).toEqual(['date=2026-12-02/hour=08/0-1.avro', 'date=2026-12-02/hour=08/0-2.avro', MANIFEST]);
  });

  it("files the sink's own retention removed are not listed again when a stale manifest is written back", async () => {
    const root = tempRoot('archive-');
    const s = store(root, []);
    await s.recover();
    const DAY = 86_400_000;
    await s.handle('t.db.tab', 0, [
      { offset: '0', record: rec(0) },
      { offset: '1', record: rec(1, { ts: T0 + 5_000 }) },
    ]);
    await s.closeAll();
    const dir = tableDir(root, 'db', 'tab');
    const before = readFileSync(join(dir, MANIFEST));
    expect((await s.prune({ archiveDays: 1 }, T0 + 10 * DAY)).files).toBe(1);
    // Another writer that read the manifest before the sink's round writes it back as it was.
    writeFileSync(join(dir, MANIFEST), before);
    await s.handle('t.db.tab', 0, [{ offset: '2', record: rec(2, { ts: T0 + 6_000 }) }]);
    await s.closeAll();
    expect((await readManifest(dir)).map((e) => e.file)).toEqual([
      'date=2026-12-02/hour=08/0-1.avro',
      'date=2026-12-02/hour=08/0-2.avro',
    ]);
  });
});
