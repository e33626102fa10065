import avro from 'avsc';
import { exactAvroOptions } from '../avro/logical-types.ts';
import type { RecordHeaders } from '../kafka/port/records.ts';

/**
 * The record of an archive file and of a base backup's files (docs/backup.md):
 * `ArchivedChange { topic, partition, offset, timestamp, schemaId, headers, envelope }`, the
 * envelope as the capture wrote it. Written and read here without decoding the rows: the
 * envelope's bytes go in unchanged, and a reader takes them out unchanged (only the source block
 * is decoded). The Kafka headers are kept because DDL markers carry their rename, barrier and
 * partition statements there: without them a restore cannot rename a table. Files written
 * before headers were kept have no `headers` field (archive-file-reader.ts reads both).
 */

/** The parts of an envelope's source block that order and place a change. */
export interface ArchivedSource {
  db: string;
  table: string;
  ts_ms: bigint | number;
  gtid?: string | null;
  file: string;
  pos: bigint | number;
}

/** A change as a file holds it: Kafka coordinates, registry id, the envelope's Avro bytes. */
export interface ArchivedRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  schemaId: number;
  /** The Kafka record's headers (a name repeated keeps its first value). */
  headers: Record<string, Buffer>;
  /** The envelope's Avro bytes (the Kafka value after its 5-byte frame). */
  envelope: Buffer;
  source: ArchivedSource;
}

export const HEAD_FIELDS = [
  { name: 'topic', type: 'string' },
  { name: 'partition', type: 'int' },
  { name: 'offset', type: 'long' },
  { name: 'timestamp', type: 'long' },
  { name: 'schemaId', type: 'int' },
  { name: 'headers', type: { type: 'map', values: 'bytes' } },
];

/** A Kafka record's headers as a file keeps them: one value a name, as bytes. */
export function archivedHeaders(h: RecordHeaders | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, v] of Object.entries(h ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first : Buffer.from(first);
  }
  return out;
}

/** A change's source position as the manifests and sinks print it: GTID, else file:pos. */
export const sourcePosition = (s: ArchivedSource): string => s.gtid ?? `${s.file}:${s.pos}`;

interface Tap {
  writeFixed(buf: Buffer, len: number): void;
}
interface Writes {
  _write(tap: Tap, value: unknown): void;
}

export interface ArchivedChangeType {
  /** The file's writer type; its values are `{ head: {topic, partition, offset, timestamp, schemaId, headers}, raw: envelope bytes }`. */
  file: avro.Type;
  /** The envelope alone (tests encode with it). */
  envelope: avro.Type;
  /** The source block of an envelope's bytes at `offset`, and where the envelope ends. */
  readSource(buf: Buffer, offset: number): { source: ArchivedSource; end: number };
}

/** The ArchivedChange type of one envelope schema (as registered, with sluice's attributes). */
export function archivedChangeType(envelopeSchema: Record<string, unknown>): ArchivedChangeType {
  const opts = { ...exactAvroOptions } as never;
  const full = avro.Type.forSchema(
    {
      type: 'record',
      name: 'ArchivedChange',
      namespace: 'sluice.archive',
      fields: [...HEAD_FIELDS, { name: 'envelope', type: envelopeSchema }],
    } as avro.Schema,
    opts,
  ) as avro.types.RecordType;
  const head = avro.Type.forSchema(
    { type: 'record', name: 'ArchivedChangeHead', namespace: 'sluice.archive', fields: HEAD_FIELDS } as avro.Schema,
    opts,
  ) as unknown as Writes;
  const envelope = full.field('envelope')?.type as avro.Type;
  // An Avro record's encoding is its fields' in order: the head, then the envelope's bytes as they are.
  const file = Object.create(full, {
    _write: {
      value: (tap: Tap, v: { head: unknown; raw: Buffer }) => {
        head._write(tap, v.head);
        tap.writeFixed(v.raw, v.raw.length);
      },
    },
  }) as avro.Type;
  return { file, envelope, readSource: sourceReader(envelopeSchema, envelope, opts) };
}

/** Reads the source block only (a resolver skips the row images): where the envelope ends comes with it. */
function sourceReader(
  envelopeSchema: Record<string, unknown>,
  envelope: avro.Type,
  opts: never,
): (buf: Buffer, offset: number) => { source: ArchivedSource; end: number } {
  const field = (envelopeSchema.fields as { name: string; type: unknown }[] | undefined)?.find((f) => f.name === 'source');
  try {
    if (!field || typeof field.type !== 'object') throw new Error('no inline source record');
    const reader = avro.Type.forSchema(
      { type: 'record', name: envelope.name, fields: [{ name: 'source', type: field.type }] } as avro.Schema,
      opts,
    );
    const resolver = reader.createResolver(envelope);
    return (buf, offset) => {
      const { value, offset: end } = reader.decode(buf, offset, resolver) as {
        value: { source: ArchivedSource };
        offset: number;
      };
      return { source: value.source, end };
    };
  } catch {
    return (buf, offset) => {
      const { value, offset: end } = envelope.decode(buf, offset) as { value: { source: ArchivedSource }; offset: number };
      return { source: value.source, end };
    };
  }
}
