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
 * after it: a schema-change event on `<prefix>._schema_changes`, and for TRUNCATE and DROP TABLE
 * an `op: t` record on every partition of the table's topic (so that it is ordered with every
 * key's rows).
 */
export class DdlRecords {
  private readonly opts: {
    prefix: string;
    serverId: number;
    registry: Registry;
    topics: TopicManager;
    tables: TableRegistry;
    accept: (db: string, table: string) => boolean;
    acceptDatabase: (db: string) => boolean;
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
    // A database's own DDL is published when tables of it can be captured, not for every database of the server.
    const aboutCapturedDb = parsed.database !== undefined && this.opts.acceptDatabase(parsed.database);
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
    if (parsed.kind === 'truncate_table' || parsed.kind === 'drop_table') {
      // A dropped table is marked like a truncate (every row is gone, which is what a Debezium
      // consumer should take from it); source.query carries the DROP so that sinks drop the table.
      const query = parsed.kind === 'drop_table' ? ddl.statement : null;
      for (const t of captured) out.push(...(await this.tableMarkers(t, ids.truncateKey, txn, query)));
    }
    return out;
  }

  /** One `op: t` record on every partition of the table's topic, so it is ordered with every key's rows. */
  private async tableMarkers(
    t: { database: string; table: string },
    truncateKeyId: number,
    txn: SourceTransaction,
    query: string | null,
  ): Promise<{ topic: string; message: Message }[]> {
    const { registry, tables, topics, prefix } = this.opts;
    // A dropped table is gone from the source: use the encoding in hand, else the topic's latest.
    let enc: { topic: string; valueId: number } | undefined = tables.known(t.database, t.table);
    if (!enc && query === null) enc = await tables.get(t.database, t.table);
    if (!enc) {
      const topic = await topics.tableTopic(prefix, t.database, t.table);
      const valueId = await registry.latestId(valueSubject(topic));
      if (valueId === undefined) return []; // never published: nothing downstream to empty
      enc = { topic, valueId };
    }
    const envelope: ChangeEnvelope = {
      before: null,
      after: null,
      op: 't',
      ts_ms: Date.now(),
      transaction: null,
      source: {
        version: CONNECTOR_VERSION,
        connector: 'sluice',
        name: prefix,
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
        query,
      },
    };
    const key = await registry.encode(truncateKeyId, { table: `${t.database}.${t.table}` });
    const value = await registry.encode(enc.valueId, envelope);
    const partitions = await topics.partitions(enc.topic);
    return Array.from({ length: partitions }, (_, partition) => ({ topic: enc.topic, message: { key, value, partition } }));
  }
}
