import {
  buildTableAvro,
  createKafka,
  keySubject,
  type Logger,
  mysqlOptionsFromUrl,
  Registry,
  SluiceError,
  type SourceBlock,
  type TableAvro,
  type TableSchema,
  tableTopic,
  valueSubject,
} from '@sluice/core';
import { type Message, Partitioners } from 'kafkajs';
import mysql from 'mysql2/promise';
import type { CaptureConfig } from './config.ts';
import { buildChanges, type KeyedChange, numberTransaction } from './event/change-builder.ts';
import { CheckpointCodec, checkpointPosition, readLastCheckpoint } from './publish/checkpoint.ts';
import { TopicManager } from './publish/topic-manager.ts';
import { type PublishUnit, TransactionalPublisher } from './publish/transactional-publisher.ts';
import { BinlogReader, type SourceEvent } from './source/binlog-reader.ts';
import { TableCatalog } from './source/table-catalog.ts';
import { TableFilter } from './source/table-filter.ts';

const VERSION = '0.1.0';

interface Encoded {
  schema: TableSchema;
  avro: TableAvro;
  topic: string;
  keyId: number;
  valueId: number;
}

/**
 * The capture pipeline: binlog -> change events -> Avro -> one Kafka transaction per group of
 * source transactions, with the checkpoint inside it.
 */
export class Capture {
  private readonly cfg: CaptureConfig;
  private readonly log: Logger;
  private readonly kafka;
  private readonly registry: Registry;
  private readonly reader: BinlogReader;
  private readonly filter: TableFilter;
  private pool: mysql.Pool | undefined;
  private catalog: TableCatalog | undefined;
  private publisher: TransactionalPublisher | undefined;
  private producer;
  private admin;
  private topics: TopicManager | undefined;
  private readonly encoded = new Map<string, Encoded>();
  private readonly refused = new Set<string>();
  private events: SourceEvent[] = [];
  private eventBytes = 0;
  private paused = false;
  private wake: (() => void) | undefined;
  private stopping = false;
  private fatal: ((e: Error) => void) | undefined;
  private serverId = 0;
  ready = false;

  constructor(cfg: CaptureConfig, log: Logger) {
    this.cfg = cfg;
    this.log = log;
    this.kafka = createKafka({ brokers: cfg.kafka.brokers, clientId: `${cfg.kafka.clientId}-capture`, log });
    this.registry = new Registry(cfg.schemaRegistry.url);
    this.reader = new BinlogReader(log);
    this.filter = new TableFilter(cfg.tables);
    this.producer = this.kafka.producer({
      transactionalId: `sluice-capture-${cfg.captureId}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
  }

  /** Runs until stop() or a fatal error (which rejects). */
  async run(): Promise<void> {
    const cfg = this.cfg;
    this.pool = mysql.createPool({ ...mysqlOptionsFromUrl(cfg.source.url), connectionLimit: 2 });
    this.catalog = new TableCatalog(this.pool);
    const [[row]] = (await this.pool.query('SELECT @@server_id AS id')) as any;
    this.serverId = Number(row.id);
    await this.admin.connect();
    this.topics = new TopicManager(this.admin, cfg.topics);
    const codec = new CheckpointCodec(cfg.topicPrefix, this.registry);
    await this.topics.ensure(codec.topic, { partitions: 1, cleanupPolicy: 'compact' });
    await this.producer.connect();
    const last = await readLastCheckpoint({
      kafka: this.kafka,
      producer: this.producer,
      codec,
      registry: this.registry,
      captureId: cfg.captureId,
    });
    this.publisher = new TransactionalPublisher({ producer: this.producer, codec, log: this.log, maxBytes: cfg.queueMaxBytes });
    const from = last ? { position: checkpointPosition(last) } : ({ end: true } as const);
    this.log.info({ checkpoint: last ? checkpointPosition(last).toString() : null }, 'resuming');

    const done = new Promise<void>((_, reject) => {
      this.fatal = reject;
    });
    await this.reader.start({
      url: cfg.source.url,
      serverId: cfg.source.serverId,
      from,
      accept: (db, table) => this.filter.matches(db, table),
      onEvent: (e) => this.enqueue(e),
      onError: (e) => this.fatal?.(e),
    });
    this.ready = true;
    this.log.info('capture streaming');
    await Promise.race([this.loop(), done]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ready = false;
    this.wake?.();
    await this.reader.stop();
    // Whatever is committed stays; a transaction in flight finishes or aborts inside drain().
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

  private async loop(): Promise<void> {
    let txn:
      | {
          id: string;
          gtid: string | null;
          changes: { topic: string; change: KeyedChange; ids: Encoded }[];
          bytes: number;
          row: number;
        }
      | undefined;
    for (;;) {
      const e = await this.next();
      if (!e) return;
      if (e.kind === 'begin') {
        txn = { id: e.gtid ?? '', gtid: e.gtid, changes: [], bytes: 0, row: 0 };
      } else if (e.kind === 'rows') {
        txn ??= { id: '', gtid: null, changes: [], bytes: 0, row: 0 };
        const enc = await this.encodedTable(e.database, e.table);
        if (!enc) continue;
        txn.bytes += e.bytes;
        for (const r of e.rows) {
          const before = e.op === 'insert' ? null : e.op === 'update' ? (r as any).before : r;
          const after = e.op === 'delete' ? null : e.op === 'update' ? (r as any).after : r;
          const source: SourceBlock = {
            version: VERSION,
            connector: 'sluice',
            name: this.cfg.topicPrefix,
            ts_ms: e.ts_ms * 1000,
            snapshot: 'false',
            db: e.database,
            sequence: null,
            table: e.table,
            server_id: this.serverId,
            gtid: txn.gtid,
            file: '',
            pos: 0,
            row: txn.row++,
            thread: null,
            query: null,
          };
          for (const change of buildChanges({
            op: e.op,
            before,
            after,
            table: enc.schema,
            avro: enc.avro,
            source,
            tombstones: this.cfg.topics.cleanupPolicy === 'compact',
            now: Date.now(),
          })) {
            txn.changes.push({ topic: enc.topic, change, ids: enc });
          }
        }
      } else if (e.kind === 'commit' || e.kind === 'ddl') {
        if (e.kind === 'ddl') {
          // Column types may have changed: re-read them before the next row of any table.
          this.catalog?.invalidate();
          this.encoded.clear();
          this.log.info({ database: e.database, query: e.query.slice(0, 200) }, 'DDL seen');
        }
        const pos = e.position;
        const changes = e.kind === 'commit' ? (txn?.changes ?? []) : [];
        const id = txn?.gtid ?? e.gtid ?? pos.toString();
        for (const c of changes) {
          if (c.change.value) {
            c.change.value.source.file = pos.file;
            c.change.value.source.pos = pos.pos;
          }
        }
        numberTransaction(id, changes);
        const unit = await this.encodeUnit(
          changes,
          {
            capture_id: this.cfg.captureId,
            server_id: this.serverId,
            file: pos.file,
            pos: pos.pos,
            gtid_set: pos.gtidSet,
            source_ts_ms: e.ts_ms * 1000,
            ts_ms: Date.now(),
          },
          txn?.bytes ?? 0,
        );
        await this.publisher?.add(unit);
        txn = undefined;
      }
    }
  }

  private async encodeUnit(
    changes: { topic: string; change: KeyedChange; ids: Encoded }[],
    checkpoint: PublishUnit['checkpoint'],
    bytes: number,
  ): Promise<PublishUnit> {
    const messages: PublishUnit['messages'] = [];
    for (const { topic, change, ids } of changes) {
      const key = await this.registry.encode(ids.keyId, change.key);
      const value = change.value ? await this.registry.encode(ids.valueId, change.value) : null;
      messages.push({ topic, message: { key, value } as Message });
    }
    return { messages, checkpoint, bytes: Math.max(bytes, 64) };
  }

  /** Schema, topic and registry ids of a table, or undefined when the table is refused. */
  private async encodedTable(database: string, table: string): Promise<Encoded | undefined> {
    const name = `${database}.${table}`;
    const hit = this.encoded.get(name);
    if (hit) return hit;
    let schema: TableSchema;
    try {
      schema = await (this.catalog as TableCatalog).get(database, table);
    } catch (err) {
      if (err instanceof SluiceError && err.code === 'SOURCE_TABLE_UNSUPPORTED') {
        if (!this.refused.has(name))
          this.log.error({ table: name, reason: err.message }, 'table refused: its changes are not captured');
        this.refused.add(name);
        return undefined;
      }
      throw err;
    }
    const avro = buildTableAvro(this.cfg.topicPrefix, schema);
    const topic = tableTopic(this.cfg.topicPrefix, database, table);
    await this.topics?.ensure(topic);
    const [keyId, valueId] = await Promise.all([
      this.registry.register(keySubject(topic), avro.keySchema),
      this.registry.register(valueSubject(topic), avro.valueSchema),
    ]);
    const enc = { schema, avro, topic, keyId, valueId };
    this.encoded.set(name, enc);
    this.log.info({ table: name, topic, key: schema.primaryKey, keyId, valueId }, 'table captured');
    return enc;
  }
}
