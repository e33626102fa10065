import {
  type ArchivedChangeType,
  type ArchivedRecord,
  ArchiveFileWriter,
  type ArchiveStorage,
  archivedChangeType,
  archivedHeaders,
  type BasePartition,
  type BaseTable,
  baseFileKey,
  type ConsumedRecord,
  SluiceError,
  schemaIdOf,
  sourcePosition,
} from '@sluice/core';

/** What the writer needs of the registry: a schema as registered (with sluice's attributes). */
export interface SchemaSource {
  rawSchema(id: number): Promise<Record<string, unknown>>;
}

interface OpenFile {
  key: string;
  staging: string;
  writer: ArchiveFileWriter;
  schemaId: number;
}

interface PartitionState {
  topic: string;
  partition: number;
  open: OpenFile | undefined;
  lastSourceTsMs: number | null;
  lastPosition: string | null;
  lastGtid: string | null;
  lastFilePos: string | null;
}

interface TableState {
  db: string;
  table: string;
  topic: string;
  schemaIds: Set<number>;
  rows: number;
  bytes: number;
  files: string[];
}

/**
 * Writes the records of a base backup (backup/command.ts) into files of the archive's format,
 * one per topic partition and envelope schema version, up to a size cap:
 * `base=<id>/<db>/<table>/<partition>-<first offset>.avro`, written to staging() and put() whole.
 * Tombstones are not changes and are not written.
 */
export class BaseWriter {
  private readonly storage: ArchiveStorage;
  private readonly id: string;
  private readonly schemas: SchemaSource;
  private readonly maxFileBytes: number;
  private readonly names: (topic: string) => { db: string; table: string };
  private readonly types = new Map<number, Promise<{ type: ArchivedChangeType; raw: string }>>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly tables = new Map<string, TableState>();
  rows = 0;
  bytes = 0;

  constructor(opts: {
    storage: ArchiveStorage;
    id: string;
    schemas: SchemaSource;
    names: (topic: string) => { db: string; table: string };
    maxFileBytes?: number;
  }) {
    this.storage = opts.storage;
    this.id = opts.id;
    this.schemas = opts.schemas;
    this.names = opts.names;
    this.maxFileBytes = opts.maxFileBytes ?? 128 * 1024 * 1024;
  }

  private table(topic: string): TableState {
    let t = this.tables.get(topic);
    if (!t) {
      const n = this.names(topic);
      t = { db: n.db, table: n.table, topic, schemaIds: new Set(), rows: 0, bytes: 0, files: [] };
      this.tables.set(topic, t);
    }
    return t;
  }

  private state(topic: string, partition: number): PartitionState {
    const k = `${topic}\n${partition}`;
    let s = this.partitions.get(k);
    if (!s) {
      s = { topic, partition, open: undefined, lastSourceTsMs: null, lastPosition: null, lastGtid: null, lastFilePos: null };
      this.partitions.set(k, s);
    }
    return s;
  }

  private typeOf(id: number): Promise<{ type: ArchivedChangeType; raw: string }> {
    let t = this.types.get(id);
    if (!t) {
      t = this.schemas.rawSchema(id).then((schema) => ({ type: archivedChangeType(schema), raw: JSON.stringify(schema) }));
      this.types.set(id, t);
      t.catch(() => this.types.delete(id));
    }
    return t;
  }

  /** Records of one partition, in offset order. */
  async add(topic: string, partition: number, records: ConsumedRecord[]): Promise<void> {
    const s = this.state(topic, partition);
    const t = this.table(topic);
    for (const m of records) {
      if (!m.value) continue;
      const schemaId = schemaIdOf(m.value);
      const { type, raw } = await this.typeOf(schemaId);
      const { source, end } = type.readSource(m.value, 5);
      if (end !== m.value.length) {
        throw new SluiceError('DECODE_FAILED', `${topic}/${partition} offset ${m.offset} does not fit schema id ${schemaId}`);
      }
      if (s.open && (s.open.schemaId !== schemaId || s.open.writer.bytes >= this.maxFileBytes)) await this.close(s);
      if (!s.open) s.open = await this.open(s, t, schemaId, m.offset, raw, type);
      const r: ArchivedRecord = {
        topic,
        partition,
        offset: m.offset,
        timestamp: Number(m.timestamp),
        schemaId,
        headers: archivedHeaders(m.headers),
        envelope: m.value.subarray(5),
        source,
      };
      await s.open.writer.write(r);
      s.lastSourceTsMs = Number(source.ts_ms);
      s.lastPosition = sourcePosition(source);
      if (source.gtid) s.lastGtid = source.gtid;
      s.lastFilePos = `${source.file}:${source.pos}`;
      t.schemaIds.add(schemaId);
      t.rows++;
      this.rows++;
    }
  }

  private async open(
    s: PartitionState,
    t: TableState,
    schemaId: number,
    firstOffset: string,
    raw: string,
    type: ArchivedChangeType,
  ): Promise<OpenFile> {
    const key = baseFileKey(this.id, t.db, t.table, s.partition, firstOffset);
    const staging = await this.storage.staging(key);
    const writer = new ArchiveFileWriter(staging, type, {
      codec: 'deflate',
      metadata: {
        'sluice.schema.id': Buffer.from(String(schemaId)),
        'sluice.envelope.schema': Buffer.from(raw),
        'sluice.db': Buffer.from(t.db),
        'sluice.table': Buffer.from(t.table),
        'sluice.topic': Buffer.from(s.topic),
        'sluice.partition': Buffer.from(String(s.partition)),
        'sluice.base': Buffer.from(this.id),
      },
    });
    return { key, staging, writer, schemaId };
  }

  private async close(s: PartitionState): Promise<void> {
    const o = s.open;
    if (!o) return;
    s.open = undefined;
    await o.writer.close();
    await this.storage.put(o.key, o.staging);
    const t = this.table(s.topic);
    t.files.push(o.key);
    t.bytes += o.writer.bytes;
    this.bytes += o.writer.bytes;
  }

  /** Closes and puts every open file; the tables as base.json lists them, with each partition's end. */
  async finish(ends: { topic: string; partition: number; endOffset: string }[]): Promise<BaseTable[]> {
    for (const s of this.partitions.values()) await this.close(s);
    const byTopic = new Map<string, BasePartition[]>();
    for (const e of ends) {
      const s = this.partitions.get(`${e.topic}\n${e.partition}`);
      const p: BasePartition = {
        partition: e.partition,
        endOffset: e.endOffset,
        lastSourceTsMs: s?.lastSourceTsMs ?? null,
        lastPosition: s?.lastPosition ?? null,
        lastGtid: s?.lastGtid ?? null,
        lastFilePos: s?.lastFilePos ?? null,
      };
      byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), p]);
    }
    return [...byTopic.entries()].map(([topic, partitions]) => {
      const t = this.table(topic);
      return {
        db: t.db,
        table: t.table,
        topic,
        schemaIds: [...t.schemaIds].sort((a, b) => a - b),
        rows: t.rows,
        bytes: t.bytes,
        files: [...t.files].sort(byPartitionOffset),
        partitions: partitions.sort((a, b) => a.partition - b.partition),
      };
    });
  }
}

/** File keys `…/<partition>-<first offset>.avro` in partition, then offset order. */
export function byPartitionOffset(a: string, b: string): number {
  const parse = (k: string) => /(\d+)-(\d+)\.avro$/.exec(k)?.slice(1).map(BigInt) ?? [0n, 0n];
  const [pa = 0n, oa = 0n] = parse(a);
  const [pb = 0n, ob = 0n] = parse(b);
  return pa !== pb ? (pa < pb ? -1 : 1) : oa < ob ? -1 : oa > ob ? 1 : 0;
}
