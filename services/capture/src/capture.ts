import {
  BinlogPosition,
  type KafkaAdmin,
  type KafkaClient,
  type Logger,
  mysqlOptionsFromUrl,
  type OutgoingRecord,
  ProgressMonitor,
  type Registry,
  SluiceError,
  type TransactionalProducer,
  tableKey,
} from '@sluice/core';
import mysql from 'mysql2/promise';
import { classifyCaptureError } from './capture-errors.ts';
import type { CaptureConfig } from './config.ts';
import { encodeChanges } from './encode/record-encoder.ts';
import { TableRegistry } from './encode/table-registry.ts';
import { partialRowImagePolicy } from './event/partial-row-image.ts';
import { ddlLogFields } from './event/query-statement.ts';
import { statementDmlPolicy } from './event/statement-dml.ts';
import { type SourceTransaction, STREAM_BYTES, TransactionAssembler } from './event/transaction-assembler.ts';
import type { CaptureMetrics } from './observe/capture-metrics.ts';
import { Heartbeats } from './observe/heartbeat.ts';
import { warnIfRowsCanExceed } from './publish/broker-limits.ts';
import { captureClients } from './publish/capture-clients.ts';
import { type Checkpoint, checkpointAt, checkpointPosition } from './publish/checkpoint.ts';
import { DdlRecords } from './publish/ddl-records.ts';
import { openPublishing } from './publish/publishing.ts';
import { type RecordLimits, recordBytes } from './publish/record-limits.ts';
import { anotherInstanceStarted, type MarkerAt } from './publish/takeover.ts';
import type { TopicManager } from './publish/topic-manager.ts';
import type { TransactionalPublisher } from './publish/transactional-publisher.ts';
import { runSnapshot } from './snapshot/snapshotter.ts';
import { BinlogReader, BOUNDARY_EVENTS, type StartFrom } from './source/binlog-reader.ts';
import { currentPosition } from './source/current-position.ts';
import { assertDeclaredKeys } from './source/declared-keys.ts';
import { ROW_MEMORY_BYTES } from './source/event-cost.ts';
import { EventQueue } from './source/event-queue.ts';
import { OnlineDdl } from './source/online-ddl.ts';
import { assertSourceReady, readSourceFacts, type SourceFacts } from './source/source-checks.ts';
import { startPosition } from './source/start-position.ts';
import { TableCatalog } from './source/table-catalog.ts';
import { TableFilter } from './source/table-filter.ts';
import { locateTime } from './source/time-start.ts';

export const STATE = { starting: 0, snapshotting: 1, streaming: 2, stopped: 3, failed: 4 } as const;

/**
 * One run of the capture pipeline: binlog -> change events -> Avro -> Kafka transactions that
 * carry whole source transactions plus the checkpoint after them (design contract 4). A run
 * resumes from the last committed checkpoint; any failure ends the run (the supervisor starts a
 * new one, which resumes from the checkpoint again, so nothing is lost or doubled).
 */
export class CaptureRun {
  private readonly cfg: CaptureConfig;
  private readonly log: Logger;
  private readonly metrics: CaptureMetrics;
  private readonly kafka: KafkaClient;
  private readonly registry: Registry;
  private readonly reader: BinlogReader;
  private readonly producer: TransactionalProducer;
  private readonly admin: KafkaAdmin;
  private readonly filter: TableFilter;
  private readonly queue: EventQueue;
  private readonly onlineDdl: OnlineDdl;
  /** Origin marker tables (skipTransactionsMarkedBy), by tableKey. */
  private readonly markers: Set<string>;
  private pool: mysql.Pool | undefined;
  private publisher: TransactionalPublisher | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private limits: RecordLimits | undefined;
  private stopping = false;
  /** Where this run's start marker is: a run that fails after it can tell whether it was replaced. */
  private startMarker: { topic: string; at: MarkerAt } | undefined;
  ready = false;
  /** Outcomes of the run's own operations with the source, Kafka and the registry (readiness). */
  private readonly progress: ProgressMonitor;

  constructor(cfg: CaptureConfig, log: Logger, metrics: CaptureMetrics, progress?: ProgressMonitor) {
    this.cfg = cfg;
    this.log = log;
    this.metrics = metrics;
    this.progress = progress ?? new ProgressMonitor({ graceMs: cfg.http.readyGraceMs });
    ({
      kafka: this.kafka,
      registry: this.registry,
      producer: this.producer,
      admin: this.admin,
    } = captureClients(cfg, log, this.progress));
    this.reader = new BinlogReader(log);
    this.onlineDdl = new OnlineDdl(cfg.onlineDdl);
    this.markers = new Set(
      cfg.skipTransactionsMarkedBy.map((n) => {
        const i = n.indexOf('.');
        return tableKey(n.slice(0, i), n.slice(i + 1));
      }),
    );
    // Online schema-change tools' tables are never captured (online-ddl.ts).
    this.filter = new TableFilter(cfg.tables, (t) => this.onlineDdl.isToolTable(t));
    this.queue = new EventQueue({
      maxBytes: cfg.queueMaxBytes,
      pause: () => {
        this.reader.pause();
        this.metrics.paused.set(1);
      },
      resume: () => {
        this.reader.resume();
        this.metrics.paused.set(0);
      },
    });
  }

  /** Whether another instance with this capture id started after this run did (takeover.ts). */
  async replaced(): Promise<boolean> {
    const m = this.startMarker;
    if (!m) return false;
    return anotherInstanceStarted({ kafka: this.kafka, topic: m.topic, captureId: this.cfg.captureId, since: m.at });
  }

  /** Resolves when stop() is called; rejects with a classified SluiceError on failure. */
  async run(): Promise<void> {
    try {
      await this.runInner();
    } catch (err) {
      throw classifyCaptureError(err, this.cfg.kafka.brokers);
    }
  }

  private async runInner(): Promise<void> {
    const cfg = this.cfg;
    this.metrics.state.set(STATE.starting);
    this.pool = mysql.createPool({ ...mysqlOptionsFromUrl(cfg.source), connectionLimit: 2 });
    const facts = await readSourceFacts(this.pool);
    this.progress.ok('source');
    assertSourceReady(facts, (w) => this.log.warn(w));
    const { topics, limits, publisher, last, startMarker } = await openPublishing({
      cfg,
      kafka: this.kafka,
      admin: this.admin,
      producer: this.producer,
      registry: this.registry,
      log: this.log,
      metrics: this.metrics,
      progress: this.progress,
    });
    warnIfRowsCanExceed(facts, cfg.maxRecordBytes, (w) => this.log.warn(w));
    this.limits = limits;
    this.startMarker = startMarker;
    this.publisher = publisher;
    const catalog = new TableCatalog(this.pool, cfg.keys);
    const tables = new TableRegistry({
      prefix: cfg.topicPrefix,
      catalog,
      registry: this.registry,
      topics,
      log: this.log,
      columns: cfg.columns,
      compatibility: cfg.schemaRegistry.compatibility,
      accept: (db, t) => this.filter.matches(db, t),
    });
    await assertDeclaredKeys(this.pool, cfg.keys);
    await this.refuseKeylessTables(catalog);
    const from = await this.startingPoint(last, facts, tables);
    if (!from || this.stopping) return;
    this.log.info(
      { flavor: facts.flavor, version: facts.version, from: 'position' in from ? from.position.toString() : 'end of binlog' },
      'streaming from',
    );
    await this.stream(from, facts, tables, topics);
  }

  /** Snapshot or not, by mode and checkpoint; undefined when there is nothing to stream (initial_only). */
  private async startingPoint(
    last: Checkpoint | undefined,
    facts: SourceFacts,
    tables: TableRegistry,
  ): Promise<StartFrom | undefined> {
    const cfg = this.cfg;
    const mode = cfg.snapshot.mode;
    let from: StartFrom;
    if (last?.snapshot || (!last && mode !== 'never')) {
      from = { position: await this.snapshot(last?.snapshot ? last : undefined, facts, tables) };
    } else if (last) {
      from = await startPosition(this.pool as mysql.Pool, facts.flavor, checkpointPosition(last), this.log);
    } else if (typeof cfg.startFrom === 'object' && 'time' in cfg.startFrom) {
      from = { position: await this.startAtTime(facts, cfg.startFrom.time) };
    } else {
      from = configuredStart(cfg.startFrom);
      if ('end' in from) from = { position: await this.startAtEnd(facts) };
    }
    if (mode === 'initial_only') {
      this.log.info('snapshot complete; snapshot.mode initial_only does not stream');
      this.metrics.state.set(STATE.stopped);
      return undefined;
    }
    return from;
  }

  /**
   * `startFrom: { time }`: the binlog searched for the first transaction at or after the time
   * (source/time-start.ts), reported, and committed as the first checkpoint like `now`.
   */
  private async startAtTime(facts: SourceFacts, time: string): Promise<BinlogPosition> {
    const pool = this.pool as mysql.Pool;
    const end = await currentPosition(pool, facts.flavor);
    const [logs] = (await pool.query('SHOW BINARY LOGS')) as unknown as [{ Log_name: string }[]];
    const found = await locateTime({
      files: logs.map((l) => String(l.Log_name)),
      end,
      timeMs: Date.parse(time),
      scan: {
        open: async (from, onEvent, onError) => {
          const reader = new BinlogReader(this.log);
          await reader.start({
            source: this.cfg.source,
            serverId: this.cfg.source.serverId,
            from: { position: from },
            accept: (db, t) => this.filter.matches(db, t),
            onEvent,
            onError,
            // Only where transactions start and end: rows are not parsed, so reading is fast.
            events: BOUNDARY_EVENTS,
          });
          return () => reader.stop();
        },
      },
    });
    const start = await startPosition(pool, facts.flavor, found.position, this.log);
    const position = 'position' in start ? start.position : found.position;
    this.log.info(
      {
        startFrom: time,
        position: position.toString(),
        firstTransaction: found.firstTsMs === null ? null : new Date(found.firstTsMs).toISOString(),
      },
      found.firstTsMs === null
        ? 'startFrom time: no transaction at or after it yet; starting at the end of the binlog'
        : 'startFrom time: starting at the first transaction at or after it',
    );
    return this.commitStart(facts, position);
  }

  /**
   * `startFrom: now` as a position, committed as the first checkpoint before anything is read: a
   * crash before the first transaction commits then resumes here, not at a later end of the binlog.
   */
  private async startAtEnd(facts: SourceFacts): Promise<BinlogPosition> {
    return this.commitStart(facts, await currentPosition(this.pool as mysql.Pool, facts.flavor));
  }

  private async commitStart(facts: SourceFacts, position: BinlogPosition): Promise<BinlogPosition> {
    await this.publisher?.add({
      messages: [],
      checkpoint: checkpointAt({ captureId: this.cfg.captureId, serverId: facts.serverId }, position, Date.now()),
      bytes: 64,
      encodedBytes: 0,
    });
    await this.publisher?.drain();
    return position;
  }

  private snapshot(resume: Checkpoint | undefined, facts: SourceFacts, tables: TableRegistry): Promise<BinlogPosition> {
    this.ready = true;
    this.metrics.state.set(STATE.snapshotting);
    return runSnapshot({
      connection: { ...mysqlOptionsFromUrl(this.cfg.source), timezone: 'Z' },
      flavor: facts.flavor,
      accept: (db, t) => this.filter.matches(db, t),
      tables,
      registry: this.registry,
      publisher: this.publisher as TransactionalPublisher,
      captureId: this.cfg.captureId,
      prefix: this.cfg.topicPrefix,
      serverId: facts.serverId,
      chunkRows: this.cfg.snapshot.chunkRows,
      tombstones: this.cfg.topics.cleanupPolicy === 'compact',
      resume,
      log: this.log,
      stopping: () => this.stopping,
      onRows: (n) => this.metrics.snapshotRows.inc(n),
      kafka: this.kafka,
      onGone: (n) => this.metrics.snapshotGoneKeys.inc(n),
      limits: this.limits,
    });
  }

  private async stream(from: StartFrom, facts: SourceFacts, tables: TableRegistry, topics: TopicManager): Promise<void> {
    const cfg = this.cfg;
    const assembler = new TransactionAssembler({
      prefix: cfg.topicPrefix,
      serverId: facts.serverId,
      tombstones: cfg.topics.cleanupPolicy === 'compact',
      table: (db, t, view) => tables.get(db, t, view),
      onStatementDml: statementDmlPolicy({
        policy: cfg.source.onStatementDml,
        log: this.log,
        count: (verb) => this.metrics.statementDml.inc({ verb }),
      }),
      onPartialRows: partialRowImagePolicy({
        policy: cfg.source.onPartialRowImage,
        log: this.log,
        count: (table) => this.metrics.partialRows.inc({ table }),
      }),
      marker: (db, t) => this.markers.has(tableKey(db, t)),
      onMarked: () => this.metrics.markedTransactions.inc(),
    });
    const ddl = new DdlRecords({
      prefix: cfg.topicPrefix,
      serverId: facts.serverId,
      registry: this.registry,
      topics,
      tables,
      accept: (db, t) => this.filter.matches(db, t),
      acceptDatabase: (db) => this.filter.mayCapture(db),
      onlineDdl: this.onlineDdl,
      log: this.log,
    });
    let failed: (e: unknown) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => {
      failed = reject;
    });
    const start = (at: StartFrom) =>
      this.reader.start({
        source: cfg.source,
        serverId: cfg.source.serverId,
        from: at,
        // Origin marker tables are read too: their rows say which transactions not to capture.
        accept: (db, t) => this.filter.matches(db, t) || this.markers.has(tableKey(db, t)),
        onEvent: (e) => {
          if (e.kind === 'rows') this.metrics.rowEvents.inc();
          this.queue.push(e);
        },
        onError: (e) => failed(e),
      });
    try {
      await start(from);
    } catch (err) {
      // The checkpoint's binlog is gone from the source: a new snapshot, if the mode allows it.
      if (!(err instanceof SluiceError && err.code === 'BINLOG_PURGED' && cfg.snapshot.mode === 'when_needed')) throw err;
      this.log.warn(
        { reason: err.message },
        'binlog of the checkpoint was purged; snapshot.mode when_needed takes a new snapshot',
      );
      await this.reader.stop();
      await start({ position: await this.snapshot(undefined, facts, tables) });
    }
    this.ready = true;
    this.progress.ok('source');
    this.metrics.state.set(STATE.streaming);
    this.startHeartbeats(new Heartbeats(cfg.topicPrefix, this.registry, topics));
    this.log.info('capture streaming');
    await Promise.race([this.loop(assembler, tables, ddl, facts.serverId), failure]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ready = false;
    clearInterval(this.heartbeatTimer);
    this.queue.close();
    await this.reader.stop();
    // Committed Kafka transactions stay; one in flight completes or aborts inside drain().
    await this.publisher?.drain().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    this.metrics.state.set(STATE.stopped);
  }

  /** Start-up check: name every captured table that cannot be keyed, and how to fix it. */
  private async refuseKeylessTables(catalog: TableCatalog): Promise<void> {
    const [rows] = (await (this.pool as mysql.Pool).query(
      `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'`,
    )) as [{ TABLE_SCHEMA: string; TABLE_NAME: string }[], unknown];
    for (const r of rows) {
      if (!this.filter.matches(r.TABLE_SCHEMA, r.TABLE_NAME)) continue;
      await catalog.get(r.TABLE_SCHEMA, r.TABLE_NAME).catch((err: unknown) => {
        if (err instanceof SluiceError && err.code === 'SOURCE_TABLE_UNSUPPORTED') {
          this.log.error(
            { table: `${r.TABLE_SCHEMA}.${r.TABLE_NAME}`, reason: err.message },
            'table refused: its changes are not captured',
          );
        }
      });
    }
  }

  private startHeartbeats(heartbeats: Heartbeats): void {
    const every = this.cfg.heartbeatMs;
    if (every <= 0) return;
    this.heartbeatTimer = setInterval(() => {
      const p = this.publisher;
      const last = p?.lastCheckpoint;
      // Only when idle and caught up: then "now" is as fresh as the targets can be.
      if (!p || !last || !p.idle || this.queue.bytes > 0 || Date.now() - last.ts_ms < every) return;
      this.heartbeatsFrom(heartbeats, last).catch((err) => this.log.warn({ err: String(err) }, 'heartbeat failed'));
    }, every);
    this.heartbeatTimer.unref();
  }

  private async heartbeatsFrom(heartbeats: Heartbeats, last: Checkpoint): Promise<void> {
    await this.publisher?.add(await heartbeats.unit(last));
  }

  private async loop(assembler: TransactionAssembler, tables: TableRegistry, ddl: DdlRecords, serverId: number): Promise<void> {
    for (;;) {
      const e = await this.queue.next();
      this.metrics.queueBytes.set(this.queue.bytes + (this.publisher?.bytesQueued ?? 0));
      if (!e || this.stopping) return;
      const txn = await assembler.push(e);
      if (!txn) continue;
      let extra: { topic: string; message: OutgoingRecord }[] = [];
      if (txn.ddl) {
        this.log.info(ddlLogFields(txn.ddl.database, txn.ddl.statement), 'DDL');
        const before = await ddl.before(txn);
        // Column types may have changed: re-read definitions before the next row (and follow renames).
        await tables.afterDdl(txn.ddl.statement, txn.ddl.database);
        // Markers carry the definitions after the DDL.
        extra = await ddl.records(txn, before);
      }
      await this.publish(txn, serverId, extra);
    }
  }

  private async publish(
    txn: SourceTransaction,
    serverId: number,
    extra: { topic: string; message: OutgoingRecord }[],
  ): Promise<void> {
    if (txn.part === 1) {
      this.log.info(
        { id: txn.id, at: txn.position.toString(), streamBytes: STREAM_BYTES },
        'large source transaction: streaming its records into one open Kafka transaction until its commit',
      );
    }
    // A part of a source transaction has no checkpoint: the Kafka transaction stays open.
    const checkpoint = txn.partial
      ? undefined
      : checkpointAt({ captureId: this.cfg.captureId, serverId }, txn.position, txn.sourceTsMs);
    const messages = [...(await encodeChanges(this.registry, txn.changes, this.limits)), ...extra];
    let encodedBytes = 0;
    for (const m of messages) encodedBytes += recordBytes(m.message);
    for (const c of txn.changes) if (c.change.value) this.metrics.rows.inc({ op: c.change.value.op });
    if (!txn.partial) this.metrics.transactions.inc();
    // Held as records now: their buffers plus what each record object costs (source/event-cost.ts).
    const bytes = Math.max(txn.bytes, encodedBytes + messages.length * ROW_MEMORY_BYTES, 64);
    await this.publisher?.add({ messages, checkpoint, bytes, encodedBytes });
  }
}

/** startFrom of the config as a reader start point. */
export function configuredStart(start: CaptureConfig['startFrom']): StartFrom {
  if (start === 'now' || 'time' in start) return { end: true };
  if ('tso' in start) {
    throw new SluiceError('CONFIG_INVALID', 'startFrom: { tso } is a TiDB read point: it needs source.kind tidb');
  }
  if ('gtid' in start) return { gtid: start.gtid };
  return { position: new BinlogPosition(start.file, start.pos) };
}
