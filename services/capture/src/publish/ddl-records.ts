import {
  type ChangeEnvelope,
  keySubject,
  type Registry,
  SCHEMA_CHANGE_KEY_SCHEMA,
  SCHEMA_CHANGE_SCHEMA,
  schemaChangeTopic,
  TRUNCATE_KEY_SCHEMA,
  valueSubject,
} from '@sluice/core';
import type { Message } from 'kafkajs';
import type { TableRegistry } from '../encode/table-registry.ts';
import { parseDdl } from '../event/ddl-statement.ts';
import { CONNECTOR_VERSION, type SourceTransaction } from '../event/transaction-assembler.ts';
import type { TopicManager } from './topic-manager.ts';

/**
 * The records a DDL statement produces, published in the same Kafka transaction as the checkpoint
 * after it: a schema-change event on `<prefix>._schema_changes`, and for TRUNCATE an `op: t`
 * record on every partition of the table's topic (so that it is ordered with every key's rows).
 */
export class DdlRecords {
  private readonly opts: {
    prefix: string;
    serverId: number;
    registry: Registry;
    topics: TopicManager;
    tables: TableRegistry;
    accept: (db: string, table: string) => boolean;
  };
  private ids: Promise<{ changeKey: number; change: number; truncateKey: number }> | undefined;

  constructor(opts: DdlRecords['opts']) {
    this.opts = opts;
  }

  private schemaIds() {
    const topic = schemaChangeTopic(this.opts.prefix);
    this.ids ??= (async () => {
      await this.opts.topics.ensure(topic, { partitions: 1, cleanupPolicy: 'delete' });
      const [changeKey, change, truncateKey] = await Promise.all([
        this.opts.registry.register(keySubject(topic), SCHEMA_CHANGE_KEY_SCHEMA),
        this.opts.registry.register(valueSubject(topic), SCHEMA_CHANGE_SCHEMA),
        this.opts.registry.register(`${this.opts.prefix}._truncate-key`, TRUNCATE_KEY_SCHEMA),
      ]);
      return { changeKey, change, truncateKey };
    })();
    return this.ids;
  }

  /** Records for a DDL transaction; empty when none of its tables is captured. */
  async records(txn: SourceTransaction): Promise<{ topic: string; message: Message }[]> {
    const ddl = txn.ddl;
    if (!ddl) return [];
    const parsed = parseDdl(ddl.statement, ddl.database);
    const captured = parsed.tables.filter((t) => this.opts.accept(t.database, t.table));
    const aboutCapturedDb = (parsed.kind === 'create_database' || parsed.kind === 'drop_database') && ddl.database !== '';
    if (captured.length === 0 && !aboutCapturedDb) return [];
    const ids = await this.schemaIds();
    const { registry } = this.opts;
    const out: { topic: string; message: Message }[] = [
      {
        topic: schemaChangeTopic(this.opts.prefix),
        message: {
          key: await registry.encode(ids.changeKey, { database: ddl.database }),
          value: await registry.encode(ids.change, {
            database: ddl.database,
            kind: parsed.kind,
            tables: captured.map((t) => `${t.database}.${t.table}`),
            statement: ddl.statement,
            file: txn.position.file,
            pos: txn.position.pos,
            gtid: txn.gtid,
            ts_ms: txn.sourceTsMs,
          }),
        },
      },
    ];
    if (parsed.kind === 'truncate_table') {
      for (const t of captured) {
        const enc = await this.opts.tables.get(t.database, t.table);
        if (!enc) continue;
        const envelope: ChangeEnvelope = {
          before: null,
          after: null,
          op: 't',
          ts_ms: Date.now(),
          transaction: null,
          source: {
            version: CONNECTOR_VERSION,
            connector: 'sluice',
            name: this.opts.prefix,
            ts_ms: txn.sourceTsMs,
            snapshot: 'false',
            db: t.database,
            sequence: null,
            table: t.table,
            server_id: this.opts.serverId,
            gtid: null,
            file: txn.position.file,
            pos: txn.position.pos,
            row: 0,
            thread: null,
            query: null,
          },
        };
        const key = await registry.encode(ids.truncateKey, { table: `${t.database}.${t.table}` });
        const value = await registry.encode(enc.valueId, envelope);
        const partitions = await this.opts.topics.partitions(enc.topic);
        for (let partition = 0; partition < partitions; partition++)
          out.push({ topic: enc.topic, message: { key, value, partition } });
      }
    }
    return out;
  }
}
