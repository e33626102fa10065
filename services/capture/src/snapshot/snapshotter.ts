import type { Registry } from '@sluice/core';
import { BinlogPosition, type KafkaClient, type Logger, type SourceBlock, tableKey } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { encodeChanges } from '../encode/record-encoder.ts';
import type { TableRegistry } from '../encode/table-registry.ts';
import { buildChanges } from '../event/change-builder.ts';
import { CONNECTOR_VERSION, prepareRow } from '../event/transaction-assembler.ts';
import { type Checkpoint, checkpointAt, type SnapshotProgress } from '../publish/checkpoint.ts';
import type { RecordLimits } from '../publish/record-limits.ts';
import type { TransactionalPublisher } from '../publish/transactional-publisher.ts';
import type { Flavor } from '../source/source-checks.ts';
import { ConsistentSnapshot } from './consistent-snapshot.ts';
import { removeGoneKeys, snapshotSource } from './remove-gone.ts';

/** JSON that keeps Buffers (binary keys) intact. */
export const encodeKey = (values: unknown[]): string =>
  JSON.stringify(values.map((v) => (Buffer.isBuffer(v) ? { $hex: v.toString('hex') } : typeof v === 'bigint' ? String(v) : v)));
export const decodeKey = (text: string): unknown[] =>
  (JSON.parse(text) as unknown[]).map((v) =>
    v && typeof v === 'object' && '$hex' in v ? Buffer.from(String(v.$hex), 'hex') : v,
  );

/**
 * The snapshot (full load): every captured table read in key order, chunk by chunk, inside one
 * consistent snapshot, published as `op: r` records. Each chunk is a Kafka transaction whose
 * checkpoint carries the progress, so a crashed snapshot resumes at the next chunk instead of
 * starting over. Streaming then starts at the position of the first snapshot (`startAt`): a resumed
 * snapshot reads its remaining rows in a newer state, and the binlog from the original position
 * replays the changes in between, so the result converges.
 */
export async function runSnapshot(opts: {
  connection: mysql.ConnectionOptions;
  flavor: Flavor;
  accept: (db: string, table: string) => boolean;
  tables: TableRegistry;
  registry: Registry;
  publisher: TransactionalPublisher;
  captureId: string;
  prefix: string;
  serverId: number;
  chunkRows: number;
  tombstones: boolean;
  resume: Checkpoint | undefined;
  log: Logger;
  stopping: () => boolean;
  onRows?: (n: number) => void;
  /** Size ceiling and topic sizing of records (record-limits.ts). */
  limits?: RecordLimits;
  /** To look for keys the tables' topics hold but the source no longer has (remove-gone.ts). */
  kafka?: KafkaClient;
  onGone?: (n: number) => void;
  /** Opens the snapshot another way (TiDB: at a TSO, again at the resumed one's). */
  open?: (resumeAt: BinlogPosition | undefined) => Promise<ConsistentSnapshot>;
  /** Query capture: the change-column bound after the snapshot's read point (checkpoint.ts). */
  changeSinceMs?: number | null;
}): Promise<BinlogPosition> {
  const resumeAt = opts.resume?.snapshot
    ? new BinlogPosition(opts.resume.file, Number(opts.resume.pos), opts.resume.gtid_set)
    : undefined;
  const snap = await (opts.open ? opts.open(resumeAt) : ConsistentSnapshot.open(opts.connection, opts.flavor));
  try {
    const resumed = opts.resume?.snapshot ?? undefined;
    // The position streaming starts from: the first snapshot's, also after a resume.
    const startAt = resumeAt ?? snap.position;
    const progress: SnapshotProgress = resumed
      ? { ...resumed, rows: Number(resumed.rows) }
      : { tables_done: [], table: null, last_key: null, rows: 0 };
    const all = (await snap.tables()).filter((t) => opts.accept(t.database, t.table));
    opts.log.info(
      {
        at: startAt.toString(),
        tables: all.length,
        resumed: !!resumed,
        estimatedRows: all.reduce((n, t) => n + t.estimatedRows, 0),
      },
      'snapshot started',
    );
    const changeSinceMs = opts.resume?.snapshot ? (opts.resume.change_since_ms ?? null) : (opts.changeSinceMs ?? null);
    const checkpoint = (p: SnapshotProgress | null): Checkpoint => checkpointAt(opts, startAt, Date.now(), p, changeSinceMs);
    for (const [i, t] of all.entries()) {
      const name = tableKey(t.database, t.table);
      if (progress.tables_done.includes(name)) continue;
      const enc = await opts.tables.get(t.database, t.table);
      if (!enc) {
        progress.tables_done.push(name);
        continue;
      }
      let after = progress.table === name && progress.last_key ? decodeKey(progress.last_key) : null;
      // Resumed inside the table: its keys gone were removed before its first chunk.
      if (opts.kafka && !after) {
        const gone = await removeGoneKeys({
          kafka: opts.kafka,
          registry: opts.registry,
          snap,
          table: enc,
          groupPrefix: opts.captureId,
          tombstones: opts.tombstones,
          source: snapshotSource(opts.prefix, opts.serverId, startAt, t.database, t.table),
          publish: (messages, bytes) =>
            opts.publisher.add({
              messages,
              checkpoint: checkpoint({ ...progress, tables_done: [...progress.tables_done] }),
              bytes,
              encodedBytes: bytes,
            }),
          log: opts.log,
          stopping: opts.stopping,
        });
        if (gone === 'stopped') return startAt;
        if (gone?.keysGone) opts.onGone?.(gone.keysGone);
      }
      let tableRows = 0;
      let lastLog = Date.now();
      // One row beyond the chunk says whether this chunk ends the table (for the 'last' marker).
      const read = (from: unknown[] | null) => {
        const p = snap.chunk(t.database, t.table, enc.source.columns, enc.schema.primaryKey, from, opts.chunkRows + 1);
        p.catch(() => undefined); // awaited below; a failure while the previous chunk is published is not unhandled
        return p;
      };
      let next = read(after);
      for (;;) {
        if (opts.stopping()) return startAt;
        const fetched = await next;
        const more = fetched.length > opts.chunkRows;
        const rows = more ? fetched.slice(0, opts.chunkRows) : fetched;
        if (rows.length === 0) break;
        // The source reads the next chunk while this one is encoded and published.
        const lastRead = rows[rows.length - 1] as Record<string, unknown>;
        next = more ? read(enc.schema.primaryKey.map((k) => lastRead[k])) : Promise.resolve([]);
        const lastTable = i === all.length - 1;
        const changes = rows.flatMap((row, r) => {
          const source: SourceBlock = {
            version: CONNECTOR_VERSION,
            connector: 'sluice',
            name: opts.prefix,
            ts_ms: Date.now(),
            snapshot: lastTable && r === rows.length - 1 && !more ? 'last' : 'true',
            db: t.database,
            sequence: null,
            table: t.table,
            server_id: opts.serverId,
            gtid: null,
            file: startAt.file,
            pos: startAt.pos,
            row: r,
            thread: null,
            query: null,
          };
          const built = buildChanges({
            op: 'insert',
            before: null,
            after: prepareRow(row, enc.masks),
            table: enc.schema,
            avro: enc.avro,
            source,
            tombstones: opts.tombstones,
            now: Date.now(),
          });
          for (const c of built) if (c.value) c.value.op = 'r';
          return built.map((change) => ({ table: enc, change }));
        });
        const last = rows[rows.length - 1] as Record<string, unknown>;
        after = enc.schema.primaryKey.map((k) => last[k]);
        tableRows += rows.length;
        opts.onRows?.(rows.length);
        progress.rows += rows.length;
        progress.table = name;
        progress.last_key = encodeKey(after);
        const messages = await encodeChanges(opts.registry, changes, opts.limits);
        const encodedBytes = messages.reduce((n, m) => n + ((m.message.value as Buffer | null)?.length ?? 0) + 32, 0);
        await opts.publisher.add({
          messages,
          checkpoint: checkpoint({ ...progress, tables_done: [...progress.tables_done] }),
          bytes: encodedBytes,
          encodedBytes,
        });
        if (Date.now() - lastLog > 5_000) {
          lastLog = Date.now();
          opts.log.info({ table: name, rows: tableRows, estimated: t.estimatedRows, total: progress.rows }, 'snapshot progress');
        }
        if (!more) break;
      }
      progress.tables_done.push(name);
      progress.table = null;
      progress.last_key = null;
      opts.log.info({ table: name, rows: tableRows, total: progress.rows }, 'snapshot: table done');
    }
    // Snapshot complete: the checkpoint now says "stream from startAt".
    await opts.publisher.add({ messages: [], checkpoint: checkpoint(null), bytes: 64, encodedBytes: 0 });
    await opts.publisher.drain();
    opts.log.info({ rows: progress.rows, at: startAt.toString() }, 'snapshot complete');
    return startAt;
  } finally {
    await snap.close();
  }
}
