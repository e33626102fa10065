import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { exactAvroOptions } from '../avro/logical-types.ts';
import { readArchiveFile } from './archive-file-reader.ts';
import { ArchiveFileWriter } from './archive-file-writer.ts';
import { LocalArchiveStorage } from './archive-storage.ts';
import { archivedChangeType } from './archived-change.ts';

const envelopeSchema = {
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
            { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 30, scale: 2 } },
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
};

const root = mkdtempSync(join(tmpdir(), 'sluice-archive-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ArchivedChange files', () => {
  it('written with envelopes unchanged, read back record by record; any Avro reader reads them too', async () => {
    const envelope = avro.Type.forSchema(envelopeSchema as avro.Schema, { ...exactAvroOptions } as never);
    const type = archivedChangeType(envelopeSchema);
    const storage = new LocalArchiveStorage(root);
    const key = 'base=x/iso/t/0-5.avro';
    const path = await storage.staging(key);
    const w = new ArchiveFileWriter(path, type, {
      codec: 'deflate',
      metadata: { 'sluice.schema.id': Buffer.from('7'), 'sluice.envelope.schema': Buffer.from(JSON.stringify(envelopeSchema)) },
    });
    const envelopes: Buffer[] = [];
    // Enough records for several blocks, with 64-bit values and exact decimals.
    for (let i = 0; i < 3000; i++) {
      const row = { id: i, d: '12345678901234567890.12' };
      const source = {
        db: 'iso',
        table: 't',
        ts_ms: 1_767_225_600_000n + BigInt(i),
        gtid: `0-1-${i + 1}`,
        file: 'b.000001',
        pos: 9_007_199_254_740_993n,
      };
      const buf = envelope.toBuffer({ before: null, after: row, op: 'c', source });
      envelopes.push(buf);
      await w.write({
        topic: 'p.iso.t',
        partition: 0,
        offset: String(5 + i * 2),
        timestamp: 1000 + i,
        // DDL markers carry their rename and barrier in headers: kept byte for byte.
        headers: i % 1000 === 7 ? { 'sluice.rename': Buffer.from(`{"id":"r${i}"}`), empty: Buffer.alloc(0) } : {},
        schemaId: 7,
        envelope: buf,
        source,
      });
    }
    await w.close();
    await storage.put(key, path);

    const file = readArchiveFile((await storage.read(key)) as Buffer, key);
    expect(file.schemaId).toBe(7);
    expect(file.codec).toBe('deflate');
    expect(file.envelopeSchema).toEqual(envelopeSchema);
    const back = [...file.records()];
    expect(back.length).toBe(3000);
    expect(back.map((r) => r.offset)).toEqual(envelopes.map((_, i) => String(5 + i * 2)));
    expect(back.every((r, i) => r.envelope.equals(envelopes[i] as Buffer))).toBe(true);
    expect(back[2999]?.source.gtid).toBe('0-1-3000');
    expect(String(back[0]?.source.pos)).toBe('9007199254740993');
    expect(back[1007]?.headers).toEqual({ 'sluice.rename': Buffer.from('{"id":"r1007"}'), empty: Buffer.alloc(0) });
    expect(back[1008]?.headers).toEqual({});

    const decoded: { offset: bigint; envelope: { after: { id: number } } }[] = [];
    await new Promise<void>((resolve, reject) =>
      avro
        .createFileDecoder(join(root, ...key.split('/')), {
          parseHook: (s: unknown) => avro.Type.forSchema(s as avro.Schema, { ...exactAvroOptions } as never),
        })
        .on('data', (r: (typeof decoded)[number]) => decoded.push(r))
        .on('end', resolve)
        .on('error', reject),
    );
    expect(decoded.length).toBe(3000);
    expect(String(decoded[10]?.offset)).toBe('25');
    expect(decoded[10]?.envelope.after.id).toBe(10);
  });

  it('refuses what is not an archive file', () => {
    expect(() => readArchiveFile(Buffer.from('nope'), 'x.avro')).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
  });
});
