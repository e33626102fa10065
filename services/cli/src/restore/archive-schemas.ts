import { exactAvroOptions, SluiceError, schemaIdOf } from '@sluice/core';
import type { SchemaSource } from '@sluice/sink/src/decode/change-decoder.ts';
import avro from 'avsc';

/**
 * The envelope schemas of a restore, by registry id, from the archive files themselves (each
 * file's `sluice.envelope.schema`): a restore needs no registry, and decodes every record with
 * the schema it was written with. Fed by each file as it is opened.
 */
export class ArchiveSchemas implements SchemaSource {
  private readonly raw = new Map<number, Record<string, unknown>>();
  private readonly types = new Map<number, avro.Type>();

  add(id: number, schema: Record<string, unknown>): void {
    if (!this.raw.has(id)) this.raw.set(id, schema);
  }

  async rawSchema(id: number): Promise<Record<string, unknown>> {
    const s = this.raw.get(id);
    if (!s) throw new SluiceError('DECODE_FAILED', `no archive file seen so far carries the schema of id ${id}`);
    return s;
  }

  async decode(buf: Buffer): Promise<{ id: number; value: unknown }> {
    const id = schemaIdOf(buf);
    let type = this.types.get(id);
    if (!type) {
      type = avro.Type.forSchema((await this.rawSchema(id)) as avro.Schema, { ...exactAvroOptions } as never);
      this.types.set(id, type);
    }
    return { id, value: type.decode(buf, 5).value };
  }
}

/** The Confluent frame (magic 0, schema id) before an archived envelope: the Kafka value it came from. */
export function framed(schemaId: number, envelope: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + envelope.length);
  out[0] = 0;
  out.writeInt32BE(schemaId, 1);
  envelope.copy(out, 5);
  return out;
}
