import {
  buildTableAvro,
  type ChangeEnvelope,
  createKafka,
  createLogger,
  keySubject,
  type OutgoingRecord,
  Registry,
  type SourceBlock,
  tableTopic,
  valueSubject,
} from '@sluice/core';
import { benchTable, rowText } from './rows.ts';

export interface TopicBacklog {
  topic: string;
  database: string;
  table: string;
  /** Change records on the topic (all op 'c', ids 1..rows: each record is a distinct row). */
  rows: number;
  /** Sum of the topic's end offsets once produced (records only: no transaction markers). */
  endOffset: number;
  bytes: number;
  seconds: number;
}

/** Rows per simulated source transaction: the source block and transaction block follow it. */
const SOURCE_TXN_ROWS = 1_000;

/**
 * Writes `rows` change records (op 'c', ids 1..rows) for one table to `<prefix>.<db>.events`, as
 * the capture would have: per-table key/value schemas registered under the topic's subjects,
 * Confluent-framed Avro, the envelope with a source block of simulated 1,000-row source
 * transactions. A plain producer (no transactions): the sink's read_committed consumer reads
 * non-transactional records as they are. Encoding overlaps up to `inFlight` sends.
 */
export async function produceBacklog(opts: {
  brokers: string[];
  registryUrl: string;
  prefix: string;
  database: string;
  rows: number;
  batch: number;
  /** Partitions of the topic (capture's default is 1); a row's key always goes to the same one. */
  partitions: number;
  inFlight?: number;
}): Promise<TopicBacklog> {
  const schema = benchTable(opts.database);
  const topic = tableTopic(opts.prefix, schema.database, schema.table);
  const avro = buildTableAvro(opts.prefix, schema);
  const registry = new Registry(opts.registryUrl);
  const keyId = await registry.register(keySubject(topic), avro.keySchema);
  const valueId = await registry.register(valueSubject(topic), avro.valueSchema);

  const kafka = createKafka({ brokers: opts.brokers, clientId: 'sluice-bench', log: createLogger('bench', 'warn') });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false });
  try {
    // Delete, not compact: the log cleaner must not rewrite the backlog while it is read.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: opts.partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'delete' }],
        },
      ],
    });
    await producer.connect();
    const t0 = performance.now();
    const tsBase = Date.UTC(2024, 0, 1);
    let bytes = 0;
    const encode = async (id: number): Promise<OutgoingRecord> => {
      const text = rowText(id);
      const after: Record<string, unknown> = {};
      avro.fields.forEach((f, i) => {
        after[f.field] = f.codec.toAvro(text[i]);
      });
      const txn = Math.floor((id - 1) / SOURCE_TXN_ROWS);
      const inTxn = (id - 1) % SOURCE_TXN_ROWS;
      const gtid = `0-1-${txn + 1}`;
      const source: SourceBlock = {
        version: '0.1.0',
        connector: 'sluice',
        name: opts.prefix,
        ts_ms: tsBase + txn * 10,
        snapshot: 'false',
        db: schema.database,
        sequence: null,
        table: schema.table,
        server_id: 1,
        gtid,
        file: 'mariadb-bin.000001',
        pos: 4 + (txn + 1) * 120_000,
        row: inTxn,
        thread: 42,
        query: null,
      };
      const env: ChangeEnvelope = {
        before: null,
        after,
        source,
        op: 'c',
        ts_ms: tsBase + txn * 10 + 3,
        transaction: { id: gtid, total_order: inTxn + 1, data_collection_order: inTxn + 1 },
      };
      const keyRow = { [avro.keyFields[0]?.field ?? 'id']: after.id };
      // encodeSync (schemas this process registered) is the capture's hot path; encode() explains errors.
      const key = registry.encodeSync(keyId, keyRow) ?? (await registry.encode(keyId, keyRow));
      const value = registry.encodeSync(valueId, env) ?? (await registry.encode(valueId, env));
      bytes += key.length + value.length;
      return { key, value, partition: id % opts.partitions };
    };
    // kafkajs sends one record batch per partition and request; the broker refuses batches above
    // message.max.bytes (1 MiB by default), so a send is cut at `batch` records or 512 KiB. Short
    // sends also keep kafkajs's grouping of messages by partition (quadratic) cheap.
    const sends = new Set<Promise<void>>();
    let failure: unknown;
    const send = async (messages: OutgoingRecord[]) => {
      const p: Promise<void> = producer.send({ topic, messages, acks: -1 }).then(
        () => {
          sends.delete(p);
        },
        (err) => {
          failure ??= err;
          sends.delete(p);
        },
      );
      sends.add(p);
      if (sends.size >= (opts.inFlight ?? 4)) await Promise.race(sends);
      if (failure) throw failure;
    };
    let messages: OutgoingRecord[] = [];
    let batchBytes = 0;
    for (let id = 1; id <= opts.rows; id++) {
      const m = await encode(id);
      messages.push(m);
      batchBytes += (m.key as Buffer).length + (m.value as Buffer).length;
      if (messages.length >= opts.batch || batchBytes >= 512 * 1024) {
        await send(messages);
        messages = [];
        batchBytes = 0;
      }
    }
    if (messages.length) await send(messages);
    await Promise.all(sends);
    if (failure) throw failure;
    const seconds = (performance.now() - t0) / 1000;
    const endOffset = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
    if (endOffset !== opts.rows) throw new Error(`topic ${topic} ends at offset ${endOffset}, expected ${opts.rows}`);
    return { topic, database: schema.database, table: schema.table, rows: opts.rows, endOffset, bytes, seconds };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
