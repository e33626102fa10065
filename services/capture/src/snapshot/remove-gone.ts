import {
  type AvroRow,
  type BinlogPosition,
  type KafkaClient,
  type Logger,
  type OutgoingRecord,
  type Registry,
  type SourceBlock,
  schemaIdOf,
  tableKey,
} from '@sluice/core';
import type { EncodedTable } from '../encode/table-registry.ts';
import { toAvroRow } from '../event/change-builder.ts';
import { CONNECTOR_VERSION } from '../event/transaction-assembler.ts';
import type { ConsistentSnapshot } from './consistent-snapshot.ts';
import { CandidateBatch, deleteEnvelope, goneOf, type KeyCandidate, keyParams, rowImageOf } from './gone-keys.ts';
import { scanTopic } from './topic-scan.ts';

/** The source block of a snapshot's records of a table (deletes of gone keys carry it too). */
export const snapshotSource = (
  prefix: string,
  serverId: number,
  at: BinlogPosition,
  database: string,
  table: string,
): SourceBlock => ({
  version: CONNECTOR_VERSION,
  connector: 'sluice',
  name: prefix,
  ts_ms: Date.now(),
  snapshot: 'true',
  db: database,
  sequence: null,
  table,
  server_id: serverId,
  gtid: null,
  file: at.file,
  pos: at.pos,
  row: 0,
  thread: null,
  query: null,
});

export interface GoneReport {
  scanned: number;
  keysGone: number;
  /** Records keyed with another key schema than the table's of now (its key changed): not checked. */
  otherKeySchema: number;
  ms: number;
}

/**
 * Before a table's snapshot rows: every key its topic holds as a row image is looked up in the
 * source, inside the snapshot's consistent read, a batch at a time; each key the source no
 * longer has gets a delete (`before` = its last image, written with that image's value schema
 * id) and, on compacted topics, a tombstone, published in the snapshot's Kafka transactions. So a
 * re-snapshot after a binlog gap removes rows deleted or re-keyed in the gap from targets and
 * topics. Keys are compared as Avro key bytes (the table's key schema of now). Publishing the
 * deletes before the rows keeps a row whose key only differs in case or trailing spaces (equal
 * under the column's collation): its delete reaches a target before the row is written again.
 *
 * Memory holds one batch; time grows with the topic's size (one read of it per table).
 */
export async function removeGoneKeys(opts: {
  kafka: KafkaClient;
  registry: Registry;
  snap: ConsistentSnapshot;
  table: EncodedTable;
  groupPrefix: string;
  tombstones: boolean;
  /** The snapshot's source block for this table. */
  source: SourceBlock;
  publish: (messages: { topic: string; message: OutgoingRecord }[], bytes: number) => Promise<void>;
  log: Logger;
  stopping: () => boolean;
  batchSize?: number;
}): Promise<GoneReport | 'stopped' | undefined> {
  const { table, registry } = opts;
  const name = tableKey(table.source.database, table.source.table);
  const keyFields = table.avro.keyFields;
  if (keyFields.some((f) => table.masks.has(f.column.name))) {
    // A masked key is a hash: the source cannot be asked for it.
    opts.log.warn({ table: name }, 'snapshot: the key is masked, keys gone from the source are not looked for');
    return undefined;
  }
  const started = Date.now();
  const report: GoneReport = { scanned: 0, keysGone: 0, otherKeySchema: 0, ms: 0 };
  const batch = new CandidateBatch();
  const batchSize = opts.batchSize ?? 500;

  const flush = async () => {
    const candidates = batch.take();
    if (!candidates.length) return;
    const rows = await opts.snap.presentKeys(
      table.source.database,
      table.source.table,
      keyFields.map((f) => f.column.name),
      candidates.map((c) => keyParams(keyFields, c.keyRow)),
    );
    const present = new Set<string>();
    for (const row of rows) {
      const key = toAvroRow(keyFields, row);
      const bytes = registry.encodeSync(table.keyId, key) ?? (await registry.encode(table.keyId, key));
      present.add(bytes.toString('hex'));
    }
    const gone = goneOf(candidates, present);
    if (!gone.length) return;
    const messages: { topic: string; message: OutgoingRecord }[] = [];
    for (const c of gone) {
      const value = await registry.encode(c.valueSchemaId, deleteEnvelope(c.after, opts.source, Date.now()));
      messages.push({ topic: table.topic, message: { key: c.key, value } });
      if (opts.tombstones) messages.push({ topic: table.topic, message: { key: c.key, value: null } });
    }
    report.keysGone += gone.length;
    await opts.publish(
      messages,
      messages.reduce((n, m) => n + ((m.message.value as Buffer | null)?.length ?? 0) + (m.message.key as Buffer).length + 32, 0),
    );
  };

  let stopped = false;
  const read = await scanTopic({
    kafka: opts.kafka,
    topic: table.topic,
    groupPrefix: opts.groupPrefix,
    stopping: () => {
      stopped ||= opts.stopping();
      return stopped;
    },
    each: async (m) => {
      report.scanned += 1;
      if (!m.key) return;
      const candidate = await candidateOf(registry, table.keyId, m.key, m.value);
      if (candidate === 'other-key') {
        report.otherKeySchema += 1;
        return;
      }
      // A delete or a tombstone after an image of the same key: that key is not live any more.
      if (!candidate) return batch.forget(m.key.toString('hex'));
      batch.add(candidate);
      if (batch.size >= batchSize) await flush();
    },
  });
  if (stopped) return 'stopped';
  if (!read) return undefined;
  await flush();
  report.ms = Date.now() - started;
  if (report.otherKeySchema) {
    opts.log.warn(
      { table: name, records: report.otherKeySchema },
      "snapshot: row images keyed with another key schema than the table's of now (its key changed) were not checked: rows of those keys the source no longer has may stay in targets; compare with sluice verify",
    );
  }
  opts.log.info({ table: name, ...report }, 'snapshot: keys gone from the source removed');
  return report;
}

/** Whether a buffer is Confluent-framed Avro (magic byte 0, schema id). */
const framed = (b: Buffer): boolean => b.length >= 5 && b[0] === 0;

/**
 * A record as a candidate: undefined when not a row image (a delete, a tombstone, a DDL or
 * truncate marker), 'other-key' when a row image keyed with another key schema than `keyId`.
 */
async function candidateOf(
  registry: Registry,
  keyId: number,
  key: Buffer,
  value: Buffer | null,
): Promise<KeyCandidate | 'other-key' | undefined> {
  if (!value || !framed(value)) return undefined;
  const decoded = await registry.decode(value);
  const after = rowImageOf(decoded.value);
  if (!after) return undefined;
  if (!framed(key) || schemaIdOf(key) !== keyId) return 'other-key';
  const keyRow = (await registry.decode(key)).value as AvroRow;
  return { key, keyHex: key.toString('hex'), keyRow, after, valueSchemaId: decoded.id };
}
