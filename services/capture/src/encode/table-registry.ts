import {
  buildTableAvro,
  keySubject,
  type Logger,
  type Registry,
  SluiceError,
  type TableAvro,
  type TableSchema,
  tableTopic,
  valueSubject,
} from '@sluice/core';
import { enumSetRepairs } from '../event/enum-set-repair.ts';
import type { TopicManager } from '../publish/topic-manager.ts';
import type { TableCatalog } from '../source/table-catalog.ts';

/** Everything needed to encode a table's changes: schema, Avro layout, topic, registry ids. */
export interface EncodedTable {
  schema: TableSchema;
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
  private readonly opts: { prefix: string; catalog: TableCatalog; registry: Registry; topics: TopicManager; log: Logger };

  constructor(opts: { prefix: string; catalog: TableCatalog; registry: Registry; topics: TopicManager; log: Logger }) {
    this.opts = opts;
  }

  /** Forget cached definitions (after a DDL) so that the next row re-reads them. */
  invalidate(database?: string, table?: string): void {
    this.opts.catalog.invalidate(database, table);
    if (database && table) this.byName.delete(`${database}.${table}`);
    else this.byName.clear();
    this.refused.clear();
  }

  async get(database: string, table: string): Promise<EncodedTable | undefined> {
    const name = `${database}.${table}`;
    const hit = this.byName.get(name);
    if (hit) return hit;
    if (this.refused.has(name)) return undefined;
    let schema: TableSchema;
    try {
      schema = await this.opts.catalog.get(database, table);
    } catch (err) {
      if (err instanceof SluiceError && (err.code === 'SOURCE_TABLE_UNSUPPORTED' || err.code === 'TYPE_UNSUPPORTED')) {
        this.opts.log.error({ table: name, code: err.code, reason: err.message }, 'table refused: its changes are not captured');
        this.refused.add(name);
        return undefined;
      }
      throw err;
    }
    let avro: TableAvro;
    try {
      avro = buildTableAvro(this.opts.prefix, schema);
    } catch (err) {
      if (err instanceof SluiceError && err.code === 'TYPE_UNSUPPORTED') {
        this.opts.log.error({ table: name, code: err.code, reason: err.message }, 'table refused: its changes are not captured');
        this.refused.add(name);
        return undefined;
      }
      throw err;
    }
    const topic = tableTopic(this.opts.prefix, database, table);
    await this.opts.topics.ensure(topic);
    const [keyId, valueId] = await Promise.all([
      this.opts.registry.register(keySubject(topic), avro.keySchema),
      this.opts.registry.register(valueSubject(topic), avro.valueSchema),
    ]);
    const enc = { schema, avro, topic, keyId, valueId, enumRepairs: enumSetRepairs(schema.columns) };
    this.byName.set(name, enc);
    this.opts.log.info({ table: name, topic, key: schema.primaryKey, keyId, valueId }, 'table captured');
    return enc;
  }
}
