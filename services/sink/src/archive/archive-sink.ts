import {
  type ArchiveStorage,
  archivedHeaders,
  archiveStorageError,
  type BatchConsumer,
  type BatchPayload,
  type ConsumedRecord,
  Counter,
  createKafka,
  type KafkaClient,
  type Logger,
  type MetricsRegistry,
  openArchiveStorage,
  ProgressMonitor,
  Registry,
  SluiceError,
  schemaIdOf,
  tableTopicPattern,
} from '@sluice/core';
import { TableTopicConsumer } from '../consume/table-topic-consumer.ts';
import { consumerSettings } from '../consumer-settings.ts';
import { type DeadLetter, DeadLetterQueue } from '../dlq/dead-letter-queue.ts';
import type { ArchiveSinkConfig } from './archive-config.ts';
import { ArchiveLeaseHolder } from './archive-lease-holder.ts';
import { type ArchiveRecord, ArchiveStore, type ArchiveType, archiveType } from './archive-store.ts';

/** What an archive sink exposes on /metrics besides readiness. */
export class ArchiveMetrics {
  readonly rows: Counter;
  readonly files: Counter;
  readonly bytes: Counter;
  readonly deadLetters: Counter;

  constructor(registry: MetricsRegistry) {
    const r = [registry];
    this.rows = new Counter({ name: 'sluice_archive_rows_total', help: 'changes written to archive files', registers: r });
    this.files = new Counter({ name: 'sluice_archive_files_total', help: 'archive files made durable', registers: r });
    this.bytes = new Counter({ name: 'sluice_archive_bytes_total', help: 'bytes of durable archive files', registers: r });
    this.deadLetters = new Counter({ name: 'sluice_sink_dead_letters_total', help: 'records sent to the DLQ', registers: r });
  }
}

/**
 * A sink whose target is a directory of Avro object container files (docs/backup.md): one
 * consumer group (its name) reading the prefix's table topics read_committed, as the SQL sinks
 * do, with the same consumer settings, dead-letter queue and readiness. Offsets move only when
 * a file is durable and named in its table's manifest (ArchiveStore).
 */
export class ArchiveSink {
  private readonly cfg: ArchiveSinkConfig;
  private readonly log: Logger;
  private readonly metrics: ArchiveMetrics;
  private readonly kafka: KafkaClient;
  private readonly registry: Registry;
  private readonly dlq: DeadLetterQueue;
  readonly store: ArchiveStore;
  readonly storage: ArchiveStorage;
  private readonly lease: ArchiveLeaseHolder;
  private pruning: NodeJS.Timeout | undefined;
  private readonly types = new Map<number, Promise<{ type: ArchiveType; raw: string }>>();
  private topics: TableTopicConsumer | undefined;
  /** The newest consumer: the one offsets are committed through. */
  private current: BatchConsumer | undefined;
  private aging: NodeJS.Timeout | undefined;
  private fatal: ((e: Error) => void) | undefined;
  ready = false;
  readonly progress: ProgressMonitor;

  constructor(cfg: ArchiveSinkConfig, log: Logger, metrics: ArchiveMetrics, progress?: ProgressMonitor) {
    this.cfg = cfg;
    this.log = log;
    this.metrics = metrics;
    this.progress = progress ?? new ProgressMonitor({ graceMs: cfg.http.readyGraceMs });
    this.kafka = createKafka({
      brokers: cfg.kafka.brokers,
      tls: cfg.kafka.tls,
      sasl: cfg.kafka.sasl,
      clientId: `${cfg.kafka.clientId}-sink-${cfg.sinkName}`,
      log,
    });
    this.registry = new Registry(cfg.schemaRegistry, this.progress.watch('registry'));
    this.dlq = new DeadLetterQueue(this.kafka, cfg.topicPrefix, cfg.sinkName, log);
    this.storage = openArchiveStorage(cfg.target);
    this.lease = new ArchiveLeaseHolder({ storage: this.storage, sinkName: cfg.sinkName, log });
    this.store = new ArchiveStore({
      storage: this.storage,
      maxFileBytes: cfg.target.maxFileBytes,
      maxFileAgeMs: cfg.target.maxFileAgeMs,
      codec: cfg.target.codec,
      include: cfg.tables.include,
      exclude: cfg.tables.exclude,
      log,
      commit: async (topic, partition, offset) => {
        if (!this.current) throw new Error('no consumer');
        await this.current.commitOffsets([{ topic, partition, offset }]);
      },
      written: (e) => {
        this.metrics.files.inc();
        this.metrics.bytes.inc(e.bytes);
        this.metrics.rows.inc(e.rows);
        this.progress.ok('target');
      },
    });
  }

  async run(): Promise<void> {
    // Before anything is read: this sink's lease (another sink writing the archive refuses the
    // start), then the archive back to what the manifests say (a storage that refuses, such as
    // wrong S3 credentials, stops the sink here).
    const storageError = (err: unknown) => {
      throw archiveStorageError(err, this.storage.location);
    };
    await this.lease.acquire().catch(storageError);
    await this.store.recover().catch(storageError);
    const pattern = tableTopicPattern(this.cfg.topicPrefix);
    const failed = new Promise<void>((_, reject) => {
      this.fatal = reject;
    });
    failed.catch(() => undefined);
    this.topics = new TableTopicConsumer({
      kafka: this.kafka,
      settings: { ...consumerSettings(this.cfg.sinkName), sessionTimeout: this.cfg.sessionTimeoutMs },
      wanted: (t) => pattern.test(t),
      parallelism: this.cfg.parallelism,
      refreshMs: this.cfg.topicRefreshMs,
      progress: this.progress,
      log: this.log,
      onBatch: (_consumer, p) => this.onBatch(p),
      fatal: (e) => this.fatal?.(e),
      listen: (consumer) => {
        this.current = consumer;
        // Partitions this member lost: their open files go (the new owner reads them again).
        consumer.on('group-join', (e) => {
          this.store.assigned(e.memberAssignment).catch((err) => this.stop_(err));
        });
      },
    });
    await this.topics.start();
    this.aging = setInterval(
      () => {
        this.store.closeAged().catch((err) => this.stop_(err));
      },
      Math.min(1_000, this.cfg.target.maxFileAgeMs),
    );
    const { retention } = this.cfg.target;
    if (retention.archiveDays !== undefined) {
      void this.prune();
      this.pruning = setInterval(() => void this.prune(), retention.checkEveryMs);
    }
    this.ready = true;
    try {
      await failed;
    } finally {
      clearInterval(this.aging);
      clearInterval(this.pruning);
      this.lease.stopBeating();
      await this.topics.close();
    }
  }

  /** One retention round; a failure is logged and the next round tries again (nothing half-done: removeArchiveFiles). */
  private async prune(): Promise<void> {
    try {
      const r = await this.store.prune(this.cfg.target.retention);
      if (r.refused) this.log.warn({ archive: this.storage.location }, `archive retention skipped: ${r.refused}`);
      else if (r.files) this.log.info({ files: r.files, rows: r.rows }, 'archive retention removed files');
    } catch (err) {
      const e = archiveStorageError(err, this.storage.location);
      this.log.warn({ code: e.code, err: e.message }, 'archive retention failed; tried again at the next round');
    }
  }

  private async onBatch(p: BatchPayload): Promise<void> {
    const { batch } = p;
    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    const beat = setInterval(() => void p.heartbeat().catch(() => undefined), 1_000);
    try {
      const letters: DeadLetter[] = [];
      const records: { offset: string; record: ArchiveRecord | null }[] = [];
      for (const m of batch.messages) {
        const r = await this.decode(m, batch.topic, batch.partition);
        if (r && 'error' in r) {
          if (this.cfg.onError === 'stop') this.stopWith(r.error, batch.topic, batch.partition, m.offset);
          letters.push({
            key: m.key,
            value: m.value,
            error: r.error,
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            position: null,
          });
          records.push({ offset: m.offset, record: null });
        } else {
          records.push({ offset: m.offset, record: r });
        }
      }
      // The DLQ has them before any offset moves past them.
      await this.dlq.send(letters);
      this.metrics.deadLetters.inc(letters.length);
      try {
        await this.store.handle(batch.topic, batch.partition, records);
      } catch (err) {
        // A file that could not be written (disk full, permissions): stop; a restart recovers.
        this.stop_(err);
        throw err;
      }
      // Fetching goes on after the batch; the offsets are committed as files become durable.
      p.resolveOffset(last.offset);
    } finally {
      clearInterval(beat);
    }
  }

  private async decode(
    m: ConsumedRecord,
    topic: string,
    partition: number,
  ): Promise<ArchiveRecord | null | { error: SluiceError }> {
    // A tombstone only serves compaction: the delete before it is the change.
    if (!m.value) return null;
    try {
      const schemaId = schemaIdOf(m.value);
      const { type, raw } = await this.typeOf(schemaId);
      const { source, end } = type.readSource(m.value, 5);
      if (end !== m.value.length) {
        throw new SluiceError('DECODE_FAILED', `record does not fit schema id ${schemaId} (${m.value.length - end} bytes left)`);
      }
      if (!source || !this.store.selected(source.db, source.table)) return null;
      return {
        topic,
        partition,
        offset: m.offset,
        timestamp: Number(m.timestamp),
        schemaId,
        type,
        rawSchema: raw,
        headers: archivedHeaders(m.headers),
        envelope: m.value.subarray(5),
        source,
      };
    } catch (err) {
      const e = SluiceError.from(err, 'DECODE_FAILED');
      // A registry outage is not the record's fault: the batch is fetched and read again.
      if (e.retriable) throw e;
      if (e.code === 'REGISTRY_MISCONFIGURED') {
        this.stop_(e);
        throw e;
      }
      return { error: e };
    }
  }

  private typeOf(id: number): Promise<{ type: ArchiveType; raw: string }> {
    let t = this.types.get(id);
    if (!t) {
      t = this.registry.rawSchema(id).then((schema) => ({ type: archiveType(schema), raw: JSON.stringify(schema) }));
      this.types.set(id, t);
      t.catch(() => this.types.delete(id));
    }
    return t;
  }

  private stop_(err: unknown): void {
    const e = archiveStorageError(err, this.storage.location);
    this.log.fatal({ code: e.code, err: e.message }, `archive sink stops: ${e.message}`);
    this.fatal?.(e);
  }

  private stopWith(err: SluiceError, topic: string, partition: number, offset: string): never {
    this.log.fatal({ code: err.code, topic, partition, offset }, `sink stops: ${err.message}`);
    this.fatal?.(err);
    throw err;
  }

  /** A clean stop: open files are made durable and their offsets committed, then the group is left. */
  async stop(): Promise<void> {
    this.ready = false;
    clearInterval(this.aging);
    clearInterval(this.pruning);
    await this.store.closeAll().catch((err) => this.log.warn({ err: String(err) }, 'could not close archive files'));
    await this.topics?.disconnect();
    // A batch in hand when the group was left may have opened files again.
    await this.store.closeAll().catch((err) => this.log.warn({ err: String(err) }, 'could not close archive files'));
    await this.dlq.close();
    // Last: the files are durable and listed; the archive is free for a prune or another sink.
    await this.lease.release().catch((err) => this.log.warn({ err: String(err) }, 'could not remove the archive lease'));
    await this.storage.close?.();
  }
}
