import {
  type KafkaAdmin,
  type KafkaClient,
  type Logger,
  mysqlOptionsFromUrl,
  ProgressMonitor,
  qualified,
  type Registry,
  SluiceError,
  type TransactionalProducer,
  Tso,
  tableKey,
} from '@sluice/core';
import mysql from 'mysql2/promise';
import { STATE } from '../capture.ts';
import { classifyCaptureError } from '../capture-errors.ts';
import type { CaptureConfig } from '../config.ts';
import { encodeChanges } from '../encode/record-encoder.ts';
import { type EncodedTable, TableRegistry } from '../encode/table-registry.ts';
import { newOrder, numberTransaction } from '../event/change-builder.ts';
import type { SourceTransaction, TableChange } from '../event/transaction-assembler.ts';
import type { CaptureMetrics } from '../observe/capture-metrics.ts';
import { Heartbeats } from '../observe/heartbeat.ts';
import { captureClients } from '../publish/capture-clients.ts';
import { type Checkpoint, checkpointAt, checkpointPosition } from '../publish/checkpoint.ts';
import { DdlRecords } from '../publish/ddl-records.ts';
import { openPublishing, type Publishing } from '../publish/publishing.ts';
import { recordBytes } from '../publish/record-limits.ts';
import { anotherInstanceStarted } from '../publish/takeover.ts';
import { ConsistentSnapshot } from '../snapshot/consistent-snapshot.ts';
import { runSnapshot } from '../snapshot/snapshotter.ts';
import { assertDeclaredKeys } from '../source/declared-keys.ts';
import { ROW_MEMORY_BYTES } from '../source/event-cost.ts';
import { TableCatalog } from '../source/table-catalog.ts';
import { TableFilter } from '../source/table-filter.ts';
import { type ChangeColumn, changeBound, changeColumns } from './change-columns.ts';
import { cycleRecords } from './cycle-records.ts';
import { KeyChunks } from './key-chunks.ts';
import { layoutChange } from './layout-change.ts';
import { ReadPoints } from './read-points.ts';
import { tableChanges } from './table-cycle.ts';
import { TidbSession } from './tidb-session.ts';

/** TiDB's own schemas, never captured (besides the ones every MySQL-family server has). */
const TIDB_SYSTEM = new Set(['metrics_schema', 'lightning_task_info']);

/** Where a cycle starts: the previous read point and the change-column bound after it. */
interface Cursor {
  prev: Tso;
  sinceMs: number;
}

/**
 * One run of the query capture (source.kind tidb, docs/tidb-source.md). TiDB has no binlog, so
 * changes are read in cycles: each cycle takes a new read point (a TSO) and publishes what
 * differs between the previous read point and it (tidb/table-cycle.ts), with the checkpoint
 * (the read point) in the same Kafka transaction, so a crash at any instant repeats a cycle
 * whole or not at all. A snapshot at a read point comes first, as for the binlog capture.
 */
export class QueryCaptureRun {
  private readonly cfg: CaptureConfig;
  private readonly log: Logger;
  private readonly metrics: CaptureMetrics;
  private readonly kafka: KafkaClient;
  private readonly registry: Registry;
  private readonly producer: TransactionalProducer;
  private readonly admin: KafkaAdmin;
  private readonly filter: TableFilter;
  private readonly progress: ProgressMonitor;
  private session: TidbSession | undefined;
  private points: ReadPoints | undefined;
  private pool: mysql.Pool | undefined;
  private pub: Publishing | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  /** Key ranges per table, kept between cycles while the table's layout stays (key-chunks.ts). */
  private readonly chunks = new Map<string, { layout: string; chunks: KeyChunks }>();
  /** Each table's encoding in the previous cycle: a layout change is told by it. */
  private readonly lastEncoding = new Map<string, EncodedTable>();
  private lastCommitMs = 0;
  ready = false;

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
    this.filter = new TableFilter(cfg.tables);
  }

  async replaced(): Promise<boolean> {
    const m = this.pub?.startMarker;
    if (!m) return false;
    return anotherInstanceStarted({ kafka: this.kafka, topic: m.topic, captureId: this.cfg.captureId, since: m.at });
  }

  async run(): Promise<void> {
    try {
      await this.runInner();
    } catch (err) {
      throw classifyCaptureError(err, this.cfg.kafka.brokers);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ready = false;
    this.wake?.();
    await this.pub?.publisher.drain().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await this.points?.close();
    await this.session?.close();
    await this.pool?.end().catch(() => undefined);
    this.metrics.state.set(STATE.stopped);
  }

  private async runInner(): Promise<void> {
    const cfg = this.cfg;
    this.metrics.state.set(STATE.starting);
    this.session = await TidbSession.open(cfg.source);
    await this.checkGcLifetime(this.session);
    this.points = await ReadPoints.open(cfg.source);
    this.pool = mysql.createPool({ ...mysqlOptionsFromUrl(cfg.source), connectionLimit: 2 });
    this.progress.ok('source');
    this.pub = await openPublishing({
      cfg,
      kafka: this.kafka,
      admin: this.admin,
      producer: this.producer,
      registry: this.registry,
      log: this.log,
      metrics: this.metrics,
      progress: this.progress,
    });
    const tables = new TableRegistry({
      prefix: cfg.topicPrefix,
      catalog: new TableCatalog(this.pool, cfg.keys),
      registry: this.registry,
      topics: this.pub.topics,
      log: this.log,
      columns: cfg.columns,
      compatibility: cfg.schemaRegistry.compatibility,
      accept: (db, t) => this.accepts(db, t),
    });
    await assertDeclaredKeys(this.pool, cfg.keys);
    const cursor = await this.startingPoint(this.pub.last, tables);
    if (!cursor || this.stopping) return;
    this.ready = true;
    this.metrics.state.set(STATE.streaming);
    this.log.info(
      {
        readPoint: cursor.prev.toString(),
        at: new Date(cursor.prev.physicalMs).toISOString(),
        intervalMs: cfg.source.query.intervalMs,
      },
      'query capture: cycles started',
    );
    await this.cycles(cursor, tables);
  }

  private accepts(db: string, table: string): boolean {
    return !TIDB_SYSTEM.has(db.toLowerCase()) && this.filter.matches(db, table);
  }

  /** A read point must outlive a cycle (and a restart): stop at start-up when TiDB keeps too little history. */
  private async checkGcLifetime(session: TidbSession): Promise<void> {
    const lifeMs = await session.gcLifeTimeMs();
    const needMs = Math.max(60_000, 10 * this.cfg.source.query.intervalMs);
    if (lifeMs < needMs) {
      throw new SluiceError(
        'SOURCE_SETTING',
        `tidb_gc_life_time is ${lifeMs / 1000}s, the query capture needs at least ${needMs / 1000}s (10 cycles of source.query.intervalMs, at least a minute) and as long as the longest capture outage it must survive: SET GLOBAL tidb_gc_life_time = '1h'`,
      );
    }
    this.log.info(
      { tidbGcLifeTimeS: lifeMs / 1000 },
      'TiDB keeps history for this long: a capture stopped for longer needs a new snapshot',
    );
  }

  /** Before a read point is taken: the bound of the change-column scan that will follow it. */
  private async sinceNow(): Promise<{ sinceMs: number; zoneOffsetSec: number }> {
    const w = await (this.session as TidbSession).writesSince();
    return {
      sinceMs: Math.min(w.nowMs, w.oldestOpenMs ?? Number.POSITIVE_INFINITY) - this.cfg.source.query.overlapMs,
      zoneOffsetSec: w.zoneOffsetSec,
    };
  }

  private async startingPoint(last: Checkpoint | undefined, tables: TableRegistry): Promise<Cursor | undefined> {
    const cfg = this.cfg;
    const mode = cfg.snapshot.mode;
    let cursor: Cursor;
    if (last?.snapshot || (!last && mode !== 'never')) {
      cursor = await this.snapshot(last?.snapshot ? last : undefined, tables);
    } else if (last) {
      const prev = Tso.fromPosition(checkpointPosition(last));
      if (!prev) {
        throw new SluiceError(
          'CONFIG_INVALID',
          `captureId ${cfg.captureId}: its checkpoint is a binlog position (${last.file}:${last.pos}), written by a binlog capture; a TiDB query capture needs its own captureId`,
        );
      }
      cursor = { prev, sinceMs: Number(last.change_since_ms ?? prev.physicalMs - cfg.source.query.overlapMs) };
    } else {
      const start = cfg.startFrom;
      if (typeof start === 'object' && !('time' in start) && !('tso' in start)) {
        throw new SluiceError(
          'CONFIG_INVALID',
          'startFrom: a GTID or binlog position does not apply to source.kind tidb; use now, { tso } or { time }',
        );
      }
      const { sinceMs } = await this.sinceNow();
      const now = (await (this.session as TidbSession).currentTso()).floorMs();
      // From a time: the first cycle publishes what differs between that read point and now.
      const prev = start === 'now' ? now : 'tso' in start ? Tso.parse(start.tso).floorMs() : Tso.ofMs(Date.parse(start.time));
      cursor = { prev, sinceMs: start === 'now' ? sinceMs : prev.physicalMs - cfg.source.query.overlapMs };
      await this.pin(cursor.prev);
      await this.commit(this.checkpoint(cursor.prev, cursor.sinceMs));
    }
    if (mode === 'initial_only') {
      this.log.info('snapshot complete; snapshot.mode initial_only does not stream');
      this.metrics.state.set(STATE.stopped);
      return undefined;
    }
    return cursor;
  }

  private async snapshot(resume: Checkpoint | undefined, tables: TableRegistry): Promise<Cursor> {
    this.ready = true;
    this.metrics.state.set(STATE.snapshotting);
    const { sinceMs } = await this.sinceNow();
    const fresh = (await (this.session as TidbSession).currentTso()).floorMs();
    const options = { ...mysqlOptionsFromUrl(this.cfg.source), timezone: 'Z' as const };
    const pub = this.pub as Publishing;
    const at = await runSnapshot({
      connection: options,
      flavor: 'mysql',
      open: (resumeAt) => ConsistentSnapshot.atTso(options, (resumeAt && Tso.fromPosition(resumeAt)) || fresh),
      changeSinceMs: sinceMs,
      accept: (db, t) => this.accepts(db, t),
      tables,
      registry: this.registry,
      publisher: pub.publisher,
      captureId: this.cfg.captureId,
      prefix: this.cfg.topicPrefix,
      serverId: this.cfg.source.serverId,
      chunkRows: this.cfg.snapshot.chunkRows,
      tombstones: this.cfg.topics.cleanupPolicy === 'compact',
      resume,
      log: this.log,
      stopping: () => this.stopping,
      onRows: (n) => this.metrics.snapshotRows.inc(n),
      kafka: this.kafka,
      onGone: (n) => this.metrics.snapshotGoneKeys.inc(n),
      limits: pub.limits,
    });
    const prev = Tso.fromPosition(at) as Tso;
    this.lastCommitMs = Date.now();
    return {
      prev,
      sinceMs: resume ? Number(resume.change_since_ms ?? prev.physicalMs - this.cfg.source.query.overlapMs) : sinceMs,
    };
  }

  private checkpoint(at: Tso, sinceMs: number): Checkpoint {
    return checkpointAt(
      { captureId: this.cfg.captureId, serverId: this.cfg.source.serverId },
      at.asPosition(),
      at.physicalMs,
      null,
      sinceMs,
    );
  }

  private async commit(checkpoint: Checkpoint): Promise<void> {
    const publisher = (this.pub as Publishing).publisher;
    await publisher.add({ messages: [], checkpoint, bytes: 64, encodedBytes: 0 });
    await publisher.drain();
    this.lastCommitMs = Date.now();
  }

  private async pin(...points: Tso[]): Promise<void> {
    await (this.points as ReadPoints).pin(points);
  }

  private async cycles(start: Cursor, tables: TableRegistry): Promise<void> {
    const q = this.cfg.source.query;
    const heartbeats = new Heartbeats(this.cfg.topicPrefix, this.registry, (this.pub as Publishing).topics);
    let cursor = start;
    let schemaVersion = '';
    let list: { database: string; table: string }[] = [];
    let columns = new Map<string, ChangeColumn | undefined>();
    // A DDL (or the start) since the previous read point: layouts and table lists of the two read
    // points may differ, so they are compared (tables gone get a DROP TABLE marker). Without one
    // they cannot differ, and the cycle reads no information_schema.
    let ddlSincePrev = true;
    const ddl = new DdlRecords({
      prefix: this.cfg.topicPrefix,
      serverId: this.cfg.source.serverId,
      registry: this.registry,
      topics: (this.pub as Publishing).topics,
      tables,
      accept: (db, t) => this.accepts(db, t),
      acceptDatabase: (db) => !TIDB_SYSTEM.has(db.toLowerCase()) && this.filter.mayCapture(db),
      log: this.log,
    });
    while (!this.stopping) {
      const began = Date.now();
      const session = this.session as TidbSession;
      const version = await session.schemaVersion();
      if (version !== schemaVersion) {
        // A DDL since the last cycle: layouts, tables and change columns are read again.
        tables.invalidate();
        list = await this.capturedTables();
        columns = await changeColumns(session, list, q.changeColumns);
        schemaVersion = version;
        ddlSincePrev = true;
      }
      const { sinceMs, zoneOffsetSec } = await this.sinceNow();
      const cur = (await session.currentTso()).floorMs();
      // A DDL that finished while the read point was taken: the layouts just read may not be the
      // read point's. Read them again first.
      if ((await session.schemaVersion()) !== schemaVersion) continue;
      if (cur.compare(cursor.prev) > 0) {
        await this.pin(cursor.prev, cur);
        let rows = ddlSincePrev ? await this.dropped(cursor.prev, cur, ddl, tables) : 0;
        rows += await this.cycle(cursor, cur, list, columns, zoneOffsetSec, tables, ddlSincePrev);
        ddlSincePrev = false;
        const checkpoint = this.checkpoint(cur, sinceMs);
        const idleFor = Date.now() - this.lastCommitMs;
        if (rows > 0) {
          await (this.pub as Publishing).publisher.add({ messages: [], checkpoint, bytes: 64, encodedBytes: 0 });
          this.lastCommitMs = Date.now();
          this.metrics.transactions.inc();
        } else if (this.cfg.heartbeatMs > 0 && idleFor >= Math.min(this.cfg.heartbeatMs, q.idleCheckpointMs)) {
          await (this.pub as Publishing).publisher.add(await heartbeats.unit(checkpoint));
          this.lastCommitMs = Date.now();
        } else if (idleFor >= q.idleCheckpointMs) {
          await (this.pub as Publishing).publisher.add({ messages: [], checkpoint, bytes: 64, encodedBytes: 0 });
          this.lastCommitMs = Date.now();
        }
        // Nothing changed in a cycle without a commit: a restart from the older checkpoint finds the same.
        cursor = { prev: cur, sinceMs };
        this.progress.ok('source');
      }
      const wait = q.intervalMs - (Date.now() - began);
      if (wait > 0 && !this.stopping)
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, wait).unref();
        });
    }
  }

  /**
   * Captured tables that existed at the previous read point and do not at this one: published as
   * a DROP TABLE (the binlog capture's DDL records), so targets drop them too. A renamed table is
   * a drop of the old name here, and the new name's rows arrive as a new table's.
   */
  private async dropped(prev: Tso, cur: Tso, ddl: DdlRecords, tables: TableRegistry): Promise<number> {
    const points = this.points as ReadPoints;
    const now = new Set((await points.tablesAt(cur)).map((t) => tableKey(t.database, t.table)));
    let n = 0;
    for (const t of await points.tablesAt(prev)) {
      if (!this.accepts(t.database, t.table) || now.has(tableKey(t.database, t.table))) continue;
      const statement = `DROP TABLE ${qualified(t.database, t.table)}`;
      this.log.info(
        { table: `${t.database}.${t.table}`, readPoint: cur.toString() },
        'table gone since the previous read point: published as DROP TABLE',
      );
      const txn: SourceTransaction = {
        id: `tso:${cur}`,
        gtid: null,
        changes: [],
        bytes: 0,
        position: cur.asPosition(),
        sourceTsMs: cur.physicalMs,
        ddl: { database: t.database, statement },
      };
      const before = await ddl.before(txn);
      await tables.afterDdl(statement, t.database);
      const messages = await ddl.records(txn, before);
      let encodedBytes = 0;
      for (const m of messages) encodedBytes += recordBytes(m.message);
      await (this.pub as Publishing).publisher.add({ messages, bytes: Math.max(64, encodedBytes), encodedBytes });
      this.lastEncoding.delete(tableKey(t.database, t.table));
      this.chunks.delete(tableKey(t.database, t.table));
      n++;
    }
    return n;
  }

  /** Base tables captured now (read again after each DDL). */
  private async capturedTables(): Promise<{ database: string; table: string }[]> {
    const rows = await (this.session as TidbSession).query(
      "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME",
    );
    return rows.map((r) => ({ database: String(r.db), table: String(r.t) })).filter((t) => this.accepts(t.database, t.table));
  }

  /** One cycle: every captured table's changes between the two read points, published without a checkpoint. */
  private async cycle(
    cursor: Cursor,
    cur: Tso,
    list: { database: string; table: string }[],
    columns: Map<string, ChangeColumn | undefined>,
    zoneOffsetSec: number,
    tables: TableRegistry,
    ddlSincePrev: boolean,
  ): Promise<number> {
    const points = this.points as ReadPoints;
    const order = newOrder();
    const txnId = `tso:${cur}`;
    let rows = 0;
    for (const t of list) {
      if (this.stopping) break;
      const name = tableKey(t.database, t.table);
      // The layout rows were last published in (after a restart: the topic's latest version,
      // read before the table of now registers its own): what a delete across a DDL is encoded in.
      const published = this.lastEncoding.get(name) ?? (await tables.published(t.database, t.table));
      const enc = await tables.get(t.database, t.table);
      if (!enc) continue;
      const key = enc.schema.primaryKey;
      const cols = enc.source.columns.map((c) => c.name);
      const was = ddlSincePrev ? await points.columnsAt(cursor.prev, t.database, t.table) : cols;
      const layout = layoutChange(was, cols);
      const change = columns.get(name);
      const stale = { database: t.database, table: t.table, columns: cols, key, changeColumn: change?.name };
      const fingerprint = JSON.stringify(cols);
      let chunks = this.chunks.get(name);
      if (!chunks || chunks.layout !== fingerprint || layout) {
        const hashed = change ? key : (layout?.common ?? cols);
        chunks = {
          layout: layout ? '' : fingerprint,
          chunks: new KeyChunks(points, stale, hashed, this.cfg.source.query.chunkRows),
        };
        this.chunks.set(name, chunks);
      }
      // A table created since the previous read point: everything in it now is new.
      const reads = was
        ? points
        : {
            rows: (at: Tso, stmt: { sql: string; params: unknown[] }) =>
              at.compare(cursor.prev) === 0 ? Promise.resolve([]) : points.rows(at, stmt),
          };
      const deletes = published ?? enc;
      let row = 0;
      rows += await tableChanges({
        reads,
        table: stale,
        chunks: was ? chunks.chunks : new KeyChunks(reads, stale, change ? key : cols, this.cfg.source.query.chunkRows),
        prev: cursor.prev,
        cur,
        bound: change ? changeBound(cursor.sinceMs, change, zoneOffsetSec) : undefined,
        layout: was ? layout : undefined,
        stopping: () => this.stopping,
        emit: async (changes) => {
          const out = cycleRecords(changes, {
            before: layout ? deletes : enc,
            now: enc,
            at: cur,
            firstRow: row,
            prefix: this.cfg.topicPrefix,
            serverId: this.cfg.source.serverId,
            tombstones: this.cfg.topics.cleanupPolicy === 'compact',
          });
          for (const c of changes) this.metrics.rows.inc({ op: c.op === 'insert' ? 'c' : c.op === 'update' ? 'u' : 'd' });
          row += changes.length;
          numberTransaction(
            txnId,
            out.map((c) => ({ topic: c.table.topic, change: c.change })),
            order,
          );
          await this.publish(out);
        },
      });
      this.lastEncoding.set(name, enc);
    }
    return rows;
  }

  /** A batch of a cycle: into the Kafka transaction that the cycle's checkpoint will commit. */
  private async publish(changes: TableChange[]): Promise<void> {
    const pub = this.pub as Publishing;
    const messages = await encodeChanges(this.registry, changes, pub.limits);
    let encodedBytes = 0;
    for (const m of messages) encodedBytes += recordBytes(m.message);
    await pub.publisher.add({ messages, bytes: Math.max(64, encodedBytes + messages.length * ROW_MEMORY_BYTES), encodedBytes });
  }
}
