import {
  buildTableAvro,
  keySubject,
  type Logger,
  type Registry,
  SluiceError,
  type TableAvro,
  type TableSchema,
  tableFingerprint,
  tableKey,
  valueSubject,
} from '@sluice/core';
import { enumSetRepairs } from '../event/enum-set-repair.ts';
import { ensureTableTopic } from '../publish/table-topics.ts';
import type { TopicManager } from '../publish/topic-manager.ts';
import type { BinlogTableView } from '../source/binlog-reader.ts';
import type { TableCatalog } from '../source/table-catalog.ts';
import { type ColumnRules, projectTable } from './column-rules.ts';
import { schemaAtEvent } from './schema-at-event.ts';

/** Everything needed to encode a table's changes: schema, Avro layout, topic, registry ids. */
export interface EncodedTable {
  /** The table as published: after column rules (excluded columns gone, masked ones CHAR(64)). */
  schema: TableSchema;
  /** The table as the source has it, before column rules. */
  source: TableSchema;
  /** Masking functions by column (column-rules.ts), applied to every row image. */
  masks: Map<string, (v: unknown) => string>;
  /** Fixes for ENUM/SET values that zongji decoded without binlog metadata (enum-set-repair.ts). */
  enumRepairs: Map<string, (v: string) => string>;
  avro: TableAvro;
  topic: string;
  keyId: number;
  valueId: number;
}

/**
 * Resolves a source table to its encoding, registering a new schema version when the table's
 * definition changed. A table that cannot be keyed is refused once, with the reason logged.
 */
export class TableRegistry {
  private readonly byName = new Map<string, EncodedTable>();
  private readonly refused = new Set<string>();
  /** Versions built from binlog metadata for events written before a DDL, by fingerprint. */
  private readonly past = new Map<string, EncodedTable>();
  private readonly opts: {
    prefix: string;
    catalog: TableCatalog;
    registry: Registry;
    topics: TopicManager;
    log: Logger;
    columns: ColumnRules;
  };

  constructor(opts: TableRegistry['opts']) {
    this.opts = opts;
  }

  /** Forget cached definitions (after a DDL) so that the next row re-reads them. */
  invalidate(database?: string, table?: string): void {
    this.opts.catalog.invalidate(database, table);
    if (database && table) this.byName.delete(tableKey(database, table));
    else this.byName.clear();
    this.refused.clear();
  }

  /** The table's current encoding if this process has one, without asking the source. */
  known(database: string, table: string): EncodedTable | undefined {
    return this.byName.get(tableKey(database, table));
  }

  /**
   * The encoding of a table for a rows event. `view` is the table as the event's binlog metadata
   * describes it; when that differs from the table of now (a backlog read across an ALTER), the
   * event is encoded with a schema version built from the binlog (schema-at-event.ts).
   */
  async get(database: string, table: string, view?: BinlogTableView): Promise<EncodedTable | undefined> {
    const name = tableKey(database, table);
    if (this.refused.has(name)) return undefined;
    let current = this.byName.get(name);
    if (!current) {
      const schema = await this.refuseOn(name, () => this.opts.catalog.get(database, table));
      if (!schema) return undefined;
      current = await this.encode(schema);
      if (!current) return undefined;
      this.byName.set(name, current);
    }
    const now = current;
    const past = view ? await this.refuseOn(name, async () => schemaAtEvent(now.source, view)) : undefined;
    if (!past) return current;
    const fp = tableFingerprint(past);
    let enc = this.past.get(fp);
    if (!enc) {
      enc = await this.encode(past);
      if (!enc) return undefined;
      this.past.set(fp, enc);
    }
    return enc;
  }

  /** Runs fn; a table that cannot be captured is refused once, with the reason logged. */
  private async refuseOn<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SluiceError && (err.code === 'SOURCE_TABLE_UNSUPPORTED' || err.code === 'TYPE_UNSUPPORTED')) {
        this.opts.log.error({ table: name, code: err.code, reason: err.message }, 'table refused: its changes are not captured');
        this.refused.add(name);
        return undefined;
      }
      throw err;
    }
  }

  private async encode(source: TableSchema): Promise<EncodedTable | undefined> {
    const name = tableKey(source.database, source.table);
    const projected = await this.refuseOn(name, async () => projectTable(source, this.opts.columns));
    if (!projected) return undefined;
    const { schema, masks } = projected;
    const avro = await this.refuseOn(name, async () => buildTableAvro(this.opts.prefix, schema));
    if (!avro) return undefined;
    const topic = await ensureTableTopic(this.opts.topics, this.opts.prefix, schema.database, schema.table);
    const [keyId, valueId] = await Promise.all([
      this.opts.registry.register(keySubject(topic), avro.keySchema),
      this.opts.registry.register(valueSubject(topic), avro.valueSchema),
    ]);
    this.opts.log.info({ table: name, topic, key: schema.primaryKey, keyId, valueId }, 'table schema registered');
    return { schema, source, masks, avro, topic, keyId, valueId, enumRepairs: enumSetRepairs(source.columns) };
  }
}
