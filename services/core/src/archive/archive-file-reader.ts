import { inflateRawSync } from 'node:zlib';
import { AvroReader } from '../avro/binary-reader.ts';
import { SluiceError } from '../errors.ts';
import { type ArchivedChangeType, type ArchivedRecord, archivedChangeType } from './archived-change.ts';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);

/** An archive or base file opened for reading: its metadata, and its records in file order. */
export interface ArchiveFileContents {
  /** The header's metadata (`sluice.schema.id`, `sluice.envelope.schema`, `sluice.db`, ...). */
  meta: Record<string, Buffer>;
  codec: string;
  /** The envelope schema as registered (with the `sluice.*` column attributes a restore creates tables from). */
  envelopeSchema: Record<string, unknown>;
  schemaId: number;
  records(): Generator<ArchivedRecord>;
}

/**
 * Reads an Avro object container file of ArchivedChange records (archived-change.ts) from its
 * bytes: the header, then block by block (deflate or null), each record's head fields and its
 * envelope's bytes unchanged (its end found by reading the source block). Throws DECODE_FAILED
 * naming `name` for anything that is not such a file.
 */
export function readArchiveFile(bytes: Buffer, name: string): ArchiveFileContents {
  const fail = (why: string): never => {
    throw new SluiceError('DECODE_FAILED', `${name} is not a readable archive file: ${why}`);
  };
  if (bytes.length < 4 || !bytes.subarray(0, 4).equals(MAGIC)) fail('no Avro container header');
  const r = new AvroReader(bytes, 4);
  const meta: Record<string, Buffer> = {};
  for (;;) {
    let n = Number(r.long());
    if (n === 0) break;
    if (n < 0) {
      r.long();
      n = -n;
    }
    for (let i = 0; i < n; i++) meta[r.string()] = Buffer.from(r.bytes());
  }
  const sync = bytes.subarray(r.pos, r.pos + 16);
  r.pos += 16;
  const codec = meta['avro.codec']?.toString() ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') fail(`codec ${codec} is not read by sluice`);
  const raw = meta['sluice.envelope.schema'];
  if (!raw) fail('no sluice.envelope.schema in its metadata');
  const envelopeSchema = JSON.parse(String(raw)) as Record<string, unknown>;
  const schemaId = Number(meta['sluice.schema.id']?.toString());
  const type: ArchivedChangeType = archivedChangeType(envelopeSchema);
  // Files written before the Kafka headers were kept have no such field.
  const withHeaders = (
    (JSON.parse(meta['avro.schema']?.toString() ?? '{}') as { fields?: { name: string }[] }).fields ?? []
  ).some((f) => f.name === 'headers');
  const start = r.pos;
  function* records(): Generator<ArchivedRecord> {
    const blocks = new AvroReader(bytes, start);
    while (blocks.pos < bytes.length) {
      const count = Number(blocks.long());
      const size = Number(blocks.long());
      const data = bytes.subarray(blocks.pos, blocks.pos + size);
      blocks.pos += size;
      if (!bytes.subarray(blocks.pos, blocks.pos + 16).equals(sync))
        fail(`block at byte ${blocks.pos - size} has a wrong sync marker`);
      blocks.pos += 16;
      const block = codec === 'deflate' ? inflateRawSync(data) : data;
      const rec = new AvroReader(block, 0);
      for (let i = 0; i < count; i++) {
        const topic = rec.string();
        const partition = rec.int();
        const offset = String(rec.long());
        const timestamp = Number(rec.long());
        const id = rec.int();
        const headers: Record<string, Buffer> = {};
        if (withHeaders) {
          for (;;) {
            let n = Number(rec.long());
            if (n === 0) break;
            if (n < 0) {
              rec.long();
              n = -n;
            }
            for (let h = 0; h < n; h++) headers[rec.string()] = Buffer.from(rec.bytes());
          }
        }
        const { source, end } = type.readSource(block, rec.pos);
        const envelope = block.subarray(rec.pos, end);
        rec.pos = end;
        yield { topic, partition, offset, timestamp, schemaId: id, headers, envelope, source };
      }
    }
  }
  return { meta, codec, envelopeSchema, schemaId, records };
}
