import {
  ARCHIVE_FILE,
  type ArchivedChangeType,
  type ArchiveStorage,
  archivedChangeType,
  archivedEnds,
  archiveFileName,
  archiveTableKey,
  expiredFiles,
  globToRegExp,
  hourWindow,
  type Logger,
  type ManifestEntry,
  partitionKey,
  type Retention,
  readBases,
  readTableManifest,
  recoverTable,
  removeArchiveFiles,
  splitBases,
  tableKeysOf,
  usableBases,
  writeTableManifest,
} from '@sluice/core';
import { ArchiveFile } from './archive-file.ts';
import { dropped, mergeManifest } from './manifest-merge.ts';

/** A change ready to archive: the envelope's Avro bytes as the capture wrote them, with where it came from. */
export interface ArchiveRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The Kafka record's timestamp (ms). */
  timestamp: number;
  schemaId: number;
  /** The archive types of schemaId (archiveType). */
  type: ArchiveType;
  /** The envelope schema as registered (with sluice's attributes, which avsc does not export). */
  rawSchema?: string;
  /** The Kafka record's headers (archivedHeaders): DDL markers carry renames and barriers there. */
  headers?: Record<string, Buffer>;
  /** The envelope's Avro bytes (the record's value after the 5-byte frame): written as they are. */
  envelope: Buffer;
  /** The envelope's source block (what the layout and the manifest need of it). */
  source: SourceFields;
}

export interface SourceFields {
  db: string;
  table: string;
  ts_ms: bigint | number;
  gtid?: string | null;
  file: string;
  pos: bigint | number;
}

/** How records of one envelope schema are read for their source block and written to a file. */
/** How records of one envelope schema are read for their source block and written to a file (core archived-change.ts). */
export type ArchiveType = ArchivedChangeType;

/** The archive file type of one envelope schema: the same for archive files and base backups. */
export const archiveType = (envelopeSchema: Record<string, unknown>): ArchiveType => archivedChangeType(envelopeSchema);

interface OpenFile {
  file: ArchiveFile;
  /** The table's key (`<db>/<table>` escaped) and the file's path under it. */
  tableKey: string;
  rel: string;
  db: string;
  table: string;
  window: string;
  schemaId: number;
  firstOffset: string;
  lastOffset: string;
  firstSourceTsMs: number;
  lastSourceTsMs: number;
  firstPosition: string;
  lastPosition: string;
  rows: number;
  openedAt: number;
}

interface PartitionState {
  topic: string;
  partition: number;
  /** Records below this offset are in a durable file or in the open one: skipped when read again. */
  next: bigint;
  /** The offset after the last record handled (written or skipped): what may be committed once nothing is open. */
  handled: bigint;
  committed: bigint;
  open: OpenFile | undefined;
  lock: Promise<unknown>;
}

interface TableState {
  key: string;
  entries: ManifestEntry[];
  /** Files this sink's retention removed: never listed again, whatever a concurrent writer stored. */
  removed: Set<string>;
  lock: Promise<unknown>;
}

export interface ArchiveStoreOptions {
  /** Where the files and manifests go (a directory, a bucket): every read and write goes through it. */
  storage: ArchiveStorage;
  maxFileBytes: number;
  maxFileAgeMs: number;
  codec: 'deflate' | 'null';
  include: string[];
  exclude: string[];
  log: Logger;
  /** Commits a partition's offset (the next to read); only called once everything before it is durable. */
  commit: (topic: string, partition: number, offset: string) => Promise<void>;
  /** A file became durable (metrics). */
  written?: (e: ManifestEntry) => void;
}

const position = (s: SourceFields): string => s.gtid ?? `${s.file}:${s.pos}`;

/**
 * The archive's state: per table its key and manifest, per topic partition the file being
 * written and the offset below which records are already archived. Order of a file's way to
 * durability (docs/backup.md): staged, put (durable under its key), manifest written (durable),
 * then the offsets; the manifest, not the committed offsets, says what is archived, so a record read
 * again after a crash between the manifest and the commit is skipped, not written twice.
 */
export class ArchiveStore {
  private readonly opts: ArchiveStoreOptions;
  private readonly tables = new Map<string, TableState>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly ends = new Map<string, bigint>();
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(opts: ArchiveStoreOptions) {
    this.opts = opts;
    this.include = opts.include.map(globToRegExp);
    this.exclude = opts.exclude.map(globToRegExp);
  }

  /**
   * Start-up recovery, run before consuming: staged files that were never put are cleared, then
   * every table is brought back to its manifest (recoverTable: archive files it does not list go).
   */
  async recover(): Promise<void> {
    const { storage } = this.opts;
    const temps = await storage.clearStaging();
    if (temps.length) {
      this.opts.log.info(
        { temps },
        'archive recovery: cleared staged files that were never stored (their records are read again)',
      );
    }
    const keys = await storage.list('');
    for (const key of tableKeysOf(keys)) {
      const r = await recoverTable(storage, key, keys);
      if (r.removedOrphans.length) {
        this.opts.log.info(
          { table: key, orphans: r.removedOrphans },
          'archive recovery: removed files the manifest does not list (their records are read again)',
        );
      }
      this.tables.set(key, { key, entries: r.entries, removed: new Set(), lock: Promise.resolve() });
      for (const [k, end] of archivedEnds(r.entries)) if ((this.ends.get(k) ?? -1n) < end) this.ends.set(k, end);
    }
  }

  selected(db: string, table: string): boolean {
    const name = `${db}.${table}`;
    return this.include.some((r) => r.test(name)) && !this.exclude.some((r) => r.test(name));
  }

  private state(topic: string, partition: number): PartitionState {
    const k = partitionKey(topic, partition);
    let s = this.partitions.get(k);
    if (!s) {
      const end = this.ends.get(k) ?? 0n;
      s = { topic, partition, next: end, handled: end, committed: -1n, open: undefined, lock: Promise.resolve() };
      this.partitions.set(k, s);
    }
    return s;
  }

  /** Runs fn alone for the partition (batches, the age timer and rebalances meet here). */
  private locked<T>(s: { lock: Promise<unknown> }, fn: () => Promise<T>): Promise<T> {
    const run = s.lock.then(fn, fn);
    s.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * A batch of one partition, in offset order: records already archived are skipped, the others
   * written (null for a tombstone or a record of a table not selected: only its offset counts).
   * Files close on a new table, hour window or schema version, at the size cap, and at the end
   * of the batch when too old; each close commits the offsets it makes safe.
   */
  handle(topic: string, partition: number, records: { offset: string; record: ArchiveRecord | null }[]): Promise<number> {
    const s = this.state(topic, partition);
    return this.locked(s, async () => {
      let written = 0;
      for (const { offset, record } of records) {
        const at = BigInt(offset);
        if (at < s.next) continue;
        if (record) {
          const src = record.source;
          const tsMs = Number(src.ts_ms);
          const window = hourWindow(tsMs);
          const o = s.open;
          if (
            o &&
            (o.schemaId !== record.schemaId ||
              o.window !== window ||
              o.db !== src.db ||
              o.table !== src.table ||
              o.file.bytes >= this.opts.maxFileBytes)
          ) {
            await this.closeOpen(s);
          }
          if (!s.open) s.open = await this.openFile(record, window, tsMs);
          const f = s.open;
          f.file.write({
            head: {
              topic: record.topic,
              partition: record.partition,
              offset: at,
              timestamp: record.timestamp,
              schemaId: record.schemaId,
              headers: record.headers ?? {},
            },
            raw: record.envelope,
          });
          f.lastOffset = offset;
          f.lastSourceTsMs = tsMs;
          f.lastPosition = position(src);
          f.rows++;
          written++;
        }
        s.next = at + 1n;
        s.handled = at + 1n;
      }
      if (s.open) {
        await s.open.file.drain();
        if (s.open.file.bytes >= this.opts.maxFileBytes || Date.now() - s.open.openedAt >= this.opts.maxFileAgeMs) {
          await this.closeOpen(s);
        }
      } else {
        await this.commit(s);
      }
      return written;
    });
  }

  private async openFile(record: ArchiveRecord, window: string, tsMs: number): Promise<OpenFile> {
    const { db, table } = record.source;
    const key = archiveTableKey(db, table);
    const rel = `${window}/${archiveFileName(record.partition, record.offset)}`;
    if (!ARCHIVE_FILE.test(rel)) throw new Error(`archive file name ${rel} does not match the layout`);
    const file = await ArchiveFile.open(this.opts.storage, `${key}/${rel}`, record.type.file, {
      codec: this.opts.codec,
      // Blocks small enough that the size cap is kept to within one block.
      blockSize: Math.max(16 * 1024, Math.min(256 * 1024, Math.floor(this.opts.maxFileBytes / 8))),
      metadata: {
        'sluice.schema.id': Buffer.from(String(record.schemaId)),
        ...(record.rawSchema ? { 'sluice.envelope.schema': Buffer.from(record.rawSchema) } : {}),
        'sluice.db': Buffer.from(db),
        'sluice.table': Buffer.from(table),
        'sluice.topic': Buffer.from(record.topic),
        'sluice.partition': Buffer.from(String(record.partition)),
      },
    });
    const pos = position(record.source);
    return {
      file,
      tableKey: key,
      rel,
      db,
      table,
      window,
      schemaId: record.schemaId,
      firstOffset: record.offset,
      lastOffset: record.offset,
      firstSourceTsMs: tsMs,
      lastSourceTsMs: tsMs,
      firstPosition: pos,
      lastPosition: pos,
      rows: 0,
      openedAt: Date.now(),
    };
  }

  /** The open file made durable, named in its table's manifest, then the offsets after it committed. */
  private async closeOpen(s: PartitionState): Promise<void> {
    const o = s.open;
    if (!o) return;
    s.open = undefined;
    await o.file.close();
    const entry: ManifestEntry = {
      file: o.rel,
      db: o.db,
      table: o.table,
      topic: s.topic,
      partition: s.partition,
      firstOffset: o.firstOffset,
      lastOffset: o.lastOffset,
      firstSourceTsMs: o.firstSourceTsMs,
      lastSourceTsMs: o.lastSourceTsMs,
      firstPosition: o.firstPosition,
      lastPosition: o.lastPosition,
      rows: o.rows,
      schemaId: o.schemaId,
      bytes: o.file.bytes,
      codec: this.opts.codec,
      writtenAt: Date.now(),
    };
    const table = this.table(o.tableKey);
    // Partitions of one table share its manifest: one update at a time.
    await this.locked(table, async () => {
      const entries = mergeManifest(await this.stored(table), table.removed, entry);
      await writeTableManifest(this.opts.storage, table.key, entries);
      table.entries = entries;
    });
    this.ends.set(partitionKey(s.topic, s.partition), BigInt(o.lastOffset) + 1n);
    this.opts.written?.(entry);
    // Only what was handled up to now: the record that made the file close is not.
    await this.commit(s);
  }

  /**
   * The table's manifest as stored (re-read at every rewrite, so a prune that ran meanwhile is
   * not undone: docs/backup.md, one writer).
   */
  private async stored(table: TableState): Promise<ManifestEntry[]> {
    const stored = await readTableManifest(this.opts.storage, table.key);
    const gone = dropped(table.entries, stored);
    if (gone.length) {
      this.opts.log.info(
        { table: table.key, files: gone },
        'archive files taken out of the manifest by another writer (a prune): not listed again',
      );
    }
    return stored;
  }

  private table(key: string): TableState {
    let t = this.tables.get(key);
    if (!t) {
      t = { key, entries: [], removed: new Set(), lock: Promise.resolve() };
      this.tables.set(key, t);
    }
    return t;
  }

  private async commit(s: PartitionState): Promise<void> {
    if (s.open || s.handled <= s.committed) return;
    const offset = s.handled;
    try {
      await this.opts.commit(s.topic, s.partition, offset.toString());
      s.committed = offset;
    } catch (err) {
      // The files are durable and named in the manifest: a restart skips their records anyway.
      this.opts.log.warn(
        { topic: s.topic, partition: s.partition, offset: String(offset), err: String(err) },
        'offsets not committed',
      );
    }
  }

  /**
   * Retention (docs/backup.md): per table, the files expiredFiles picks (older than archiveDays,
   * needed by no kept base, not a partition's newest) leave the manifest first, then the storage
   * (removeArchiveFiles), under the table's lock, so a file closing meanwhile is not lost. A base
   * that cannot be read stops the round: what it needs is unknown. Bases themselves are removed by
   * `sluice archive prune`, never here.
   */
  async prune(retention: Retention, nowMs = Date.now()): Promise<{ files: number; rows: number; refused?: string }> {
    const out = { files: 0, rows: 0 };
    if (retention.archiveDays === undefined) return out;
    const { storage } = this.opts;
    const usable = usableBases(await readBases(storage, await storage.list('')));
    if ('refused' in usable) return { ...out, refused: usable.refused };
    const { kept } = splitBases(usable.bases, retention.keepBases);
    for (const table of this.tables.values()) {
      await this.locked(table, async () => {
        const entries = mergeManifest(await this.stored(table), table.removed);
        const gone = expiredFiles(entries, { nowMs, retention, kept });
        for (const e of gone) table.removed.add(e.file);
        table.entries = await removeArchiveFiles(storage, table.key, entries, gone);
        out.files += gone.length;
        out.rows += gone.reduce((n, e) => n + e.rows, 0);
      });
    }
    return out;
  }

  /** Closes files open longer than maxFileAgeMs (a partition that stopped receiving). */
  async closeAged(now = Date.now()): Promise<void> {
    await Promise.all(
      [...this.partitions.values()]
        .filter((s) => s.open && now - s.open.openedAt >= this.opts.maxFileAgeMs)
        .map((s) =>
          this.locked(s, async () => {
            if (s.open && Date.now() - s.open.openedAt >= this.opts.maxFileAgeMs) await this.closeOpen(s);
          }),
        ),
    );
  }

  /** Closes every open file (a clean stop). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.partitions.values()].map((s) => this.locked(s, () => this.closeOpen(s))));
  }

  /**
   * The group gave this member `assigned`: files of partitions it no longer has are dropped (their
   * offsets were not committed, the new owner reads them again). Partitions it keeps keep theirs.
   */
  async assigned(assignment: Record<string, number[]>): Promise<void> {
    const kept = new Set(Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => partitionKey(t, p))));
    await Promise.all(
      [...this.partitions.entries()]
        .filter(([k]) => !kept.has(k))
        .map(([k, s]) =>
          this.locked(s, async () => {
            await s.open?.file.abort();
            s.open = undefined;
            // Read again from the manifest's end if the partition comes back.
            this.partitions.delete(k);
          }),
        ),
    );
  }

  /** Files open now (tests, metrics). */
  get openFiles(): number {
    return [...this.partitions.values()].filter((s) => s.open).length;
  }
}
