import { BinlogPosition, createKafka, type Logger, mysqlOptionsFromUrl, Registry, SluiceError } from '@sluice/core';
import { type Admin, type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import mysql from 'mysql2/promise';
import { classifyCaptureError } from './capture-errors.ts';
import type { CaptureConfig } from './config.ts';
import { encodeChanges } from './encode/record-encoder.ts';
import { TableRegistry } from './encode/table-registry.ts';
import { type SourceTransaction, TransactionAssembler } from './event/transaction-assembler.ts';
import { type Checkpoint, CheckpointCodec, checkpointPosition, readLastCheckpoint } from './publish/checkpoint.ts';
import { DdlRecords } from './publish/ddl-records.ts';
import { TopicManager } from './publish/topic-manager.ts';
import { TransactionalPublisher } from './publish/transactional-publisher.ts';
import { runSnapshot } from './snapshot/snapshotter.ts';
import { BinlogReader, type SourceEvent, type StartFrom } from './source/binlog-reader.ts';
import { assertSourceReady, readSourceFacts } from './source/source-checks.ts';
import { startPosition } from './source/start-position.ts';
import { TableCatalog } from './source/table-catalog.ts';
import { TableFilter } from './source/table-filter.ts';

/**
 * One run of the capture pipeline: binlog -> change events -> Avro -> Kafka transactions that
 * carry whole source transactions plus the checkpoint after them (design contract 4). A run
 * resumes from the last committed checkpoint; any failure ends the run (the supervisor starts a
 * new one, which resumes from the checkpoint again, so nothing is lost or doubled).
 */
export class CaptureRun {
  private readonly cfg: CaptureConfig;
  private readonly log: Logger;
  private readonly kafka: Kafka;
  private readonly registry: Registry;
  private readonly reader: BinlogReader;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private pool: mysql.Pool | undefined;
  private publisher: TransactionalPublisher | undefined;
  private events: SourceEvent[] = [];
  private eventBytes = 0;
  private paused = false;
  private wake: (() => void) | undefined;
  private stopping = false;
  ready = false;

  constructor(cfg: CaptureConfig, log: Logger) {
    this.cfg = cfg;
    this.log = log;
    this.kafka = createKafka({ brokers: cfg.kafka.brokers, clientId: `${cfg.kafka.clientId}-capture`, log });
    this.registry = new Registry(cfg.schemaRegistry.url);
    this.reader = new BinlogReader(log);
    // The transactional id is the capture id: a second instance fences the first (standby takeover).
    this.producer = this.kafka.producer({
      transactionalId: `sluice-capture-${cfg.captureId}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The broker answers CONCURRENT_TRANSACTIONS for a moment after each commit; kafkajs' default
      // first retry (300 ms) would cap capture at a few transactions per second.
      retry: { initialRetryTime: 20, maxRetryTime: 2_000, retries: 12 },
    });
    this.admin = this.kafka.admin();
  }

  /** Resolves when stop() is called; rejects with a classified SluiceError on failure. */
  async run(): Promise<void> {
    try {
      await this.runInner();
    } catch (err) {
      throw classifyCaptureError(err);
    }
  }

  private async runInner(): Promise<void> {
    const cfg = this.cfg;
    this.pool = mysql.createPool({ ...mysqlOptionsFromUrl(cfg.source.url), connectionLimit: 2 });
    const facts = await readSourceFacts(this.pool);
    assertSourceReady(facts, (w) => this.log.warn(w));
    await this.admin.connect();
    const topics = new TopicManager(this.admin, cfg.topics);
    const codec = new CheckpointCodec(cfg.topicPrefix, this.registry);
    await topics.ensure(codec.topic, { partitions: 1, cleanupPolicy: 'compact' });
    await this.producer.connect();
    const last = await readLastCheckpoint({
      kafka: this.kafka,
      producer: this.producer,
      codec,
      registry: this.registry,
      captureId: cfg.captureId,
    });
    this.publisher = new TransactionalPublisher({ producer: this.producer, codec, log: this.log, maxBytes: cfg.queueMaxBytes });
    const tables = new TableRegistry({
      prefix: cfg.topicPrefix,
      catalog: new TableCatalog(this.pool),
      registry: this.registry,
      topics,
      log: this.log,
    });
    const assembler = new TransactionAssembler({
      prefix: cfg.topicPrefix,
      serverId: facts.serverId,
      tombstones: cfg.topics.cleanupPolicy === 'compact',
      table: (db, t, view) => tables.get(db, t, view),
    });
    const filter = new TableFilter(cfg.tables);
    const snapshot = (resume: Checkpoint | undefined) => {
      this.ready = true;
      return runSnapshot({
        connection: { ...mysqlOptionsFromUrl(cfg.source.url), timezone: 'Z' },
        flavor: facts.flavor,
        accept: (db, t) => filter.matches(db, t),
        tables,
        registry: this.registry,
        publisher: this.publisher as TransactionalPublisher,
        captureId: cfg.captureId,
        prefix: cfg.topicPrefix,
        serverId: facts.serverId,
        chunkRows: cfg.snapshot.chunkRows,
        tombstones: cfg.topics.cleanupPolicy === 'compact',
        resume,
        log: this.log,
        stopping: () => this.stopping,
      });
    };
    const mode = cfg.snapshot.mode;
    let from: StartFrom;
    if (last?.snapshot || (!last && mode !== 'never')) {
      from = { position: await snapshot(last?.snapshot ? last : undefined) };
    } else if (last) {
      from = await startPosition(this.pool, facts.flavor, checkpointPosition(last), this.log);
    } else {
      from = configuredStart(cfg.startFrom);
    }
    if (this.stopping) return;
    if (mode === 'initial_only') {
      this.log.info('snapshot complete; snapshot.mode initial_only does not stream');
      return;
    }
    this.log.info(
      { flavor: facts.flavor, version: facts.version, from: 'position' in from ? from.position.toString() : 'end of binlog' },
      'streaming from',
    );

    let failed: (e: unknown) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => {
      failed = reject;
    });
    const stream = (start: StartFrom) =>
      this.reader.start({
        url: cfg.source.url,
        serverId: cfg.source.serverId,
        from: start,
        accept: (db, t) => filter.matches(db, t),
        onEvent: (e) => this.enqueue(e),
        onError: (e) => failed(e),
      });
    try {
      await stream(from);
    } catch (err) {
      // The checkpoint's binlog is gone from the source: a new snapshot, if the mode allows it.
      if (!(err instanceof SluiceError && err.code === 'BINLOG_PURGED' && mode === 'when_needed')) throw err;
      this.log.warn(
        { reason: err.message },
        'binlog of the checkpoint was purged; snapshot.mode when_needed takes a new snapshot',
      );
      await this.reader.stop();
      await stream({ position: await snapshot(undefined) });
    }
    this.ready = true;
    this.log.info('capture streaming');
    const ddl = new DdlRecords({
      prefix: cfg.topicPrefix,
      serverId: facts.serverId,
      registry: this.registry,
      topics,
      tables,
      accept: (db, t) => filter.matches(db, t),
    });
    await Promise.race([this.loop(assembler, tables, ddl, facts.serverId), failure]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ready = false;
    this.wake?.();
    await this.reader.stop();
    // Committed Kafka transactions stay; one in flight completes or aborts inside drain().
    await this.publisher?.drain().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
  }

  /** Bounded in bytes: above the limit the binlog connection pauses until the loop catches up. */
  private enqueue(e: SourceEvent): void {
    this.events.push(e);
    this.eventBytes += e.kind === 'rows' ? e.bytes : 64;
    if (!this.paused && this.eventBytes > this.cfg.queueMaxBytes) {
      this.paused = true;
      this.reader.pause();
    }
    this.wake?.();
  }

  private async next(): Promise<SourceEvent | undefined> {
    while (this.events.length === 0) {
      if (this.stopping) return undefined;
      await new Promise<void>((r) => {
        this.wake = r;
      });
      this.wake = undefined;
    }
    const e = this.events.shift() as SourceEvent;
    this.eventBytes -= e.kind === 'rows' ? e.bytes : 64;
    if (this.paused && this.eventBytes < this.cfg.queueMaxBytes / 2) {
      this.paused = false;
      this.reader.resume();
    }
    return e;
  }

  private async loop(assembler: TransactionAssembler, tables: TableRegistry, ddl: DdlRecords, serverId: number): Promise<void> {
    for (;;) {
      const e = await this.next();
      if (!e || this.stopping) return;
      const txn = await assembler.push(e);
      if (!txn) continue;
      let extra: { topic: string; message: Message }[] = [];
      if (txn.ddl) {
        this.log.info({ database: txn.ddl.database, statement: txn.ddl.statement.slice(0, 200) }, 'DDL');
        extra = await ddl.records(txn);
        // Column types may have changed: re-read definitions before the next row.
        tables.invalidate();
      }
      await this.publish(txn, serverId, extra);
    }
  }

  private async publish(
    txn: SourceTransaction,
    serverId: number,
    extra: { topic: string; message: Message }[] = [],
  ): Promise<void> {
    const checkpoint: Checkpoint = {
      capture_id: this.cfg.captureId,
      server_id: serverId,
      file: txn.position.file,
      pos: txn.position.pos,
      gtid_set: txn.position.gtidSet,
      source_ts_ms: txn.sourceTsMs,
      ts_ms: Date.now(),
      snapshot: null,
    };
    const messages = [...(await encodeChanges(this.registry, txn.changes)), ...extra];
    const encodedBytes = messages.reduce(
      (n, m) => n + ((m.message.key as Buffer)?.length ?? 0) + ((m.message.value as Buffer)?.length ?? 0),
      0,
    );
    await this.publisher?.add({ messages, checkpoint, bytes: Math.max(txn.bytes, encodedBytes, 64), encodedBytes });
  }
}

/** startFrom of the config as a reader start point. */
export function configuredStart(start: CaptureConfig['startFrom']): StartFrom {
  if (start === 'now') return { end: true };
  if ('gtid' in start) return { gtid: start.gtid };
  return { position: new BinlogPosition(start.file, start.pos) };
}
