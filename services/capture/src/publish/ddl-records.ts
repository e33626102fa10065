import {
  BARRIER_HEADER,
  type ChangeEnvelope,
  keySubject,
  type Logger,
  type Op,
  type OutgoingRecord,
  RENAME_HEADER,
  type RecordHeaders,
  type Registry,
  type RenameHeader,
  redactSql,
  SCHEMA_CHANGE_KEY_SCHEMA,
  SCHEMA_CHANGE_SCHEMA,
  schemaChangeTopic,
  TRUNCATE_KEY_SCHEMA,
  tableKey,
  valueSubject,
} from '@sluice/core';
import type { EncodedTable, TableRegistry } from '../encode/table-registry.ts';
import { columnChanges } from '../event/column-changes.ts';
import { type DdlStatement, parseDdl, type TableName } from '../event/ddl-statement.ts';
import { partitionMoveOf } from '../event/partition-move.ts';
import { CONNECTOR_VERSION, type SourceTransaction } from '../event/transaction-assembler.ts';
import type { OnlineDdl } from '../source/online-ddl.ts';
import { removesRows, sameColumns } from './marker-definition.ts';
import { moveMarkers, partitioningHeader, partitioningOf } from './partition-markers.ts';
import { PartitionTracker } from './partition-tracker.ts';
import { renameSteps } from './rename-steps.ts';
import type { TopicManager } from './topic-manager.ts';

type Out = { topic: string; message: OutgoingRecord };
/** A table's value schema as published: its topic and registry id (and the table, when in hand). */
type Encoding = { topic: string; valueId: number; table?: EncodedTable };

/**
 * DDL kinds that change a table's definition in place: a `s` marker with the definition after it
 * (when it leaves the columns as they were, marker-definition.ts). Not CREATE TABLE: in a backlog
 * the table of now may be a later one, and a marker of it on a partition behind would take the
 * target back over rows of another partition; the first row creates the table.
 */
const DEFINITION_KINDS = new Set(['alter_table', 'create_index', 'drop_index']);

/**
 * The records a DDL statement produces, published in the same Kafka transaction as the checkpoint
 * after it: a schema-change event on `<prefix>._schema_changes` (with the value schema ids of its
 * tables before and after), and markers on every partition of the topics of the tables it
 * names, so that they are ordered with every key's rows: `op: t` for TRUNCATE and DROP TABLE,
 * `op: s` (sluice's schema-change marker, docs/ddl.md) for any other DDL of a captured table,
 * written with the table's value schema after the DDL so that sinks follow it even when no row
 * comes. Renames carry a `sluice.rename` header (rename-header.ts).
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
    onlineDdl?: OnlineDdl;
    log?: Pick<Logger, 'warn'>;
  };
  private ids: Promise<{ changeKey: number; change: number; truncateKey: number }> | undefined;
  /** Tables' partitions as of the binlog, for the rows a partition statement removes. */
  private readonly partitions = new PartitionTracker();

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

  /**
   * The encodings in hand of the tables a DDL names, taken before the registry re-reads
   * definitions (TableRegistry.afterDdl): the schema ids before the statement.
   */
  async before(txn: SourceTransaction): Promise<Map<string, Encoding>> {
    const out = new Map<string, Encoding>();
    if (!txn.ddl) return out;
    for (const t of parseDdl(txn.ddl.statement, txn.ddl.database).tables) {
      if (!this.opts.accept(t.database, t.table)) continue;
      // The encoding last used (for a backlog, the past version its rows had); not the table of
      // now, which may be ahead. A restarted capture has used none: the topic's latest version,
      // read now, before afterDdl registers the definition after the statement.
      let enc = this.opts.tables.lastEncoding(t.database, t.table);
      if (!enc) {
        enc = await this.opts.tables.published(t.database, t.table);
        // The table before the next DDL too (the registry's latest is about to change).
        if (enc) this.opts.tables.markUsed(t.database, t.table, enc);
      }
      if (enc) out.set(tableKey(t.database, t.table), { topic: enc.topic, valueId: enc.valueId, table: enc });
    }
    return out;
  }

  /** Records for a DDL transaction; empty when none of its tables is captured. Call after TableRegistry.afterDdl. */
  async records(txn: SourceTransaction, before: Map<string, Encoding> = new Map()): Promise<Out[]> {
    const ddl = txn.ddl;
    if (!ddl) return [];
    const parsed = parseDdl(ddl.statement, ddl.database);
    const captured = parsed.tables.filter((t) => this.opts.accept(t.database, t.table));
    if (!removesRows(ddl.statement)) for (const t of parsed.tables) this.partitions.forget(tableKey(t.database, t.table));
    // A database's own DDL is published when tables of it can be captured, not for every database of the server.
    const aboutCapturedDb = parsed.database !== undefined && this.opts.acceptDatabase(parsed.database);
    if (captured.length === 0 && !aboutCapturedDb) return [];
    const ids = await this.schemaIds();
    // Published statements may hold secrets (a FEDERATED table's CONNECTION string).
    const statement = redactSql(ddl.statement);
    const ctx: Ctx = { txn, truncateKey: ids.truncateKey, statement, before, after: new Map() };
    const markers: Out[] = [];
    if (parsed.kind === 'truncate_table' || parsed.kind === 'drop_table') {
      // A dropped table is marked like a truncate (every row is gone, which is what a Debezium
      // consumer should take from it); source.query carries the DROP so that sinks drop the table.
      const query = parsed.kind === 'drop_table' ? statement : null;
      for (const t of captured) markers.push(...(await this.truncateMarkers(t, ctx, query)));
    } else if (parsed.kind === 'rename_table') {
      markers.push(...(await this.renameMarkers(parsed, ctx)));
    } else if (parsed.kind === 'alter_table' && partitionMoveOf(ddl.statement, ddl.database)) {
      markers.push(...(await this.moveMarkers(ddl.statement, ddl.database, ctx)));
    } else if (DEFINITION_KINDS.has(parsed.kind)) {
      for (const t of captured) {
        // A statement that removes rows carries the partitioning before it (partition-markers.ts).
        const extra = removesRows(ddl.statement) ? partitioningHeader(await this.partitioningBefore(t, ctx)) : undefined;
        // Columns changed (or unknown before): the rows carry the definition (marker-definition.ts).
        const now = await this.opts.tables.valueSchemaOfNow(t.database, t.table);
        if (!now) continue; // gone by now (a backlog read): its next DDL or drop follows
        // Columns dropped: a marker with the table right after the statement (the definition
        // before, without them), a barrier on any topic: sinks drop them there, so that a column
        // added again under the same name starts from its new default, as on the source. Decided
        // before comparing with the table of now: read behind, now may have the column again.
        const drops = columnChanges(ddl.statement)?.drops ?? [];
        const dropFrom = drops.length ? await this.lastEncoding(t, ctx.before) : undefined;
        const without = dropFrom?.table ? await this.opts.tables.withoutColumns(dropFrom.table, drops) : undefined;
        if (without) {
          // The next DDL's marker starts from it (a re-ADD's barrier must not bring the old column back).
          this.opts.tables.markUsed(t.database, t.table, without);
          ctx.after.set(tableKey(t.database, t.table), without.valueId);
          markers.push(...(await this.marker(t, without, 's', ctx, undefined, 0, ctx.statement, extra, 'always')));
          continue;
        }
        if (!sameColumns(await this.schemaBefore(t, ctx.before), now)) {
          // A statement that removes rows still goes, in its place, with the definition before
          // (sinks run its action without following the layout). So does any column change on a
          // topic of several partitions: its marker is the barrier every partition reaches before
          // rows of the new columns are applied (a partition behind must not meet a later layout).
          const prev = await this.lastEncoding(t, ctx.before);
          const barrier = prev !== undefined && (await this.opts.topics.partitions(prev.topic)) > 1;
          if (prev && (barrier || removesRows(ddl.statement)))
            markers.push(...(await this.marker(t, prev, 's', ctx, undefined, 0, ctx.statement, extra)));
          continue;
        }
        const enc = await this.opts.tables.ofNow(t.database, t.table);
        if (!enc) continue;
        this.opts.tables.markUsed(t.database, t.table, enc);
        ctx.after.set(tableKey(t.database, t.table), enc.valueId);
        markers.push(...(await this.marker(t, enc, 's', ctx, undefined, 0, ctx.statement, extra)));
      }
    }
    const event: Out = {
      topic: schemaChangeTopic(this.opts.prefix),
      message: {
        key: await this.opts.registry.encode(ids.changeKey, { database: ddl.database }),
        value: await this.opts.registry.encode(ids.change, {
          database: ddl.database,
          kind: parsed.kind,
          tables: captured.map((t) => `${t.database}.${t.table}`),
          statement,
          file: txn.position.file,
          pos: txn.position.pos,
          gtid: txn.gtid,
          ts_ms: txn.sourceTsMs,
          schema_ids: captured.map((t) => {
            const k = tableKey(t.database, t.table);
            return { table: `${t.database}.${t.table}`, before: before.get(k)?.valueId ?? null, after: ctx.after.get(k) ?? null };
          }),
        }),
      },
    };
    return [event, ...markers];
  }

  /**
   * A rename between captured names: an `s` marker on the old name's topic (the sink renames the
   * target table when every partition of it is there) and on the new name's topic (the sink holds
   * each partition there until the rename is done), both with a `sluice.rename` header. Pairs of
   * one statement run in order: each waits for the one before (`after`).
   */
  private async renameMarkers(parsed: DdlStatement, ctx: Ctx): Promise<Out[]> {
    const { tables, onlineDdl, log } = this.opts;
    const out: Out[] = [];
    const steps = renameSteps(
      parsed.renames ?? [],
      (t) => this.opts.accept(t.database, t.table),
      (a, b) => onlineDdl?.isCutOver(a, b) ?? false,
    );
    let after: string | null = null;
    // Where a name renamed earlier in this statement has its rows (a swap through a temporary name).
    const carriers = new Map<string, Encoding>();
    for (const [i, step] of steps.entries()) {
      // A temporary name of a swap (renamed away again in this statement) holds no row: no table, no marker.
      const passing = steps
        .slice(i + 1)
        .some((x) => tableKey(x.from.database, x.from.table) === tableKey(step.to.database, step.to.table));
      // No record of the old name ever published: nothing downstream to rename, only a table to create.
      const fromKey = tableKey(step.from.database, step.from.table);
      const old =
        step.kind === 'rename' ? (carriers.get(fromKey) ?? (await this.lastEncoding(step.from, ctx.before))) : undefined;
      // A rename keeps the definition: the old one under the new name is exact, where the table of
      // now may be a later one (a backlog). Others (a cut-over, a table coming in) take the table of now.
      const to =
        step.kind === 'left' || passing
          ? undefined
          : old?.table
            ? await tables.renamed(old.table, step.to)
            : await tables.ofNow(step.to.database, step.to.table);
      if (to) ctx.after.set(tableKey(step.to.database, step.to.table), to.valueId);
      // Rows of the new name read after it is gone again (renamed on before the capture read
      // them: `RENAME a TO b` then `RENAME b TO c`) are encoded with the old name's definition
      // (gone()). Only that exact one: a table of now is never noted as last used.
      if (to && old?.table) tables.markUsed(step.to.database, step.to.table, to);
      if (step.kind === 'left') {
        log?.warn(
          { from: name(step.from), to: name(step.to) },
          'a captured table was renamed to a name that is not captured: targets keep the table as it was',
        );
        continue;
      }
      if (step.kind === 'created') {
        log?.warn(
          { from: name(step.from), to: name(step.to) },
          'a table that was not captured was renamed to a captured name: targets get the table, not the rows it had',
        );
      }
      if (step.kind !== 'rename') {
        // The cut-over of an online schema-change tool is an ALTER of `to`; its rows are the old table's.
        if (to) out.push(...(await this.marker(step.to, to, 's', ctx)));
        continue;
      }
      carriers.delete(fromKey);
      if (old) carriers.set(tableKey(step.to.database, step.to.table), old);
      const id = `${ctx.txn.position.file}:${ctx.txn.position.pos}#${step.index}`;
      const header = (role: 'from' | 'to', partitions: number): RenameHeader => ({
        id,
        role,
        from: step.from,
        to: step.to,
        partitions,
        after,
      });
      if (old) {
        // On the topic that carries the old name's rows (a temporary name of a swap has none of its own).
        const n = await this.opts.topics.partitions(old.topic);
        out.push(...(await this.marker(step.from, old, 's', ctx, header('from', n), step.index)));
      }
      if (to) {
        const h = old ? header('to', 0) : undefined;
        out.push(...(await this.marker(step.to, to, 's', ctx, h, step.index)));
      }
      if (old) after = id;
    }
    return out;
  }

  /** The partitioning right before a partition statement (partition-tracker.ts); follows the statement. */
  private async partitioningBefore(t: TableName, ctx: Ctx): Promise<string | undefined> {
    const key = tableKey(t.database, t.table);
    const statement = ctx.txn.ddl?.statement ?? '';
    const database = ctx.txn.ddl?.database ?? t.database;
    const before = await this.partitions.before(key, () =>
      this.publishedPartitioning(t, ctx.before, PartitionTracker.fits(statement, database)),
    );
    this.partitions.after(key, before, statement, database);
    return before;
  }

  /**
   * The partitioning before a statement the tracker has not followed (the first since a start or
   * another DDL): the encoding's in hand, else the topic's latest registered version. One that
   * cannot be the table before the statement (it lacks a partition the statement names: a
   * restarted capture registered the table of now, after the statement) gives way to the newest
   * older registered version that can; none that can: undefined, and sinks refuse to guess.
   */
  private async publishedPartitioning(
    t: TableName,
    before: Map<string, Encoding>,
    fits: (clause: string) => boolean,
  ): Promise<string | undefined> {
    const hit = before.get(tableKey(t.database, t.table))?.table;
    const first = hit ? partitioningOf(hit.avro.valueSchema) : undefined;
    if (first && fits(first)) return first;
    const topic = await this.opts.topics.tableTopic(this.opts.prefix, t.database, t.table);
    for await (const v of this.opts.registry.history(valueSubject(topic))) {
      const p = partitioningOf(v.schema);
      if (p && fits(p)) return p;
    }
    return undefined;
  }

  /** EXCHANGE / CONVERT PARTITION: markers on both tables' topics (partition-markers.ts). */
  private async moveMarkers(statement: string, database: string, ctx: Ctx): Promise<Out[]> {
    const move = partitionMoveOf(statement, database);
    if (!move) return [];
    const { tables } = this.opts;
    const id = `${ctx.txn.position.file}:${ctx.txn.position.pos}#move`;
    return moveMarkers(move, id, {
      accept: (t) => this.opts.accept(t.database, t.table),
      encoding: async (t, which) => {
        if (which === 'before') return this.lastEncoding(t, ctx.before);
        const enc = await tables.ofNow(t.database, t.table);
        if (enc) ctx.after.set(tableKey(t.database, t.table), enc.valueId);
        return enc;
      },
      partitions: (topic) => this.opts.topics.partitions(topic),
      partitioningBefore: (t) => this.partitioningBefore(t, ctx),
      marker: (t, enc, headers) => this.marker(t, enc, 's', ctx, undefined, 0, ctx.statement, headers, false),
    });
  }

  /**
   * The table's value schema before the DDL: of the encoding in hand, else its topic's latest
   * registered version (a restarted capture); undefined when never published.
   */
  private async schemaBefore(t: TableName, before: Map<string, Encoding>): Promise<Record<string, unknown> | undefined> {
    const hit = before.get(tableKey(t.database, t.table))?.table;
    if (hit) return hit.avro.valueSchema;
    const topic = await this.opts.topics.tableTopic(this.opts.prefix, t.database, t.table);
    return (await this.opts.registry.latest(valueSubject(topic)))?.schema;
  }

  /** The table's encoding before the DDL: in hand, else its topic's latest version (undefined: never published). */
  private async lastEncoding(t: TableName, before: Map<string, Encoding>): Promise<Encoding | undefined> {
    const hit = before.get(tableKey(t.database, t.table));
    if (hit) return hit;
    const topic = await this.opts.topics.tableTopic(this.opts.prefix, t.database, t.table);
    const valueId = await this.opts.registry.latestId(valueSubject(topic));
    return valueId === undefined ? undefined : { topic, valueId };
  }

  /** TRUNCATE and DROP TABLE: one `op: t` record on every partition of the table's topic. */
  private async truncateMarkers(t: TableName, ctx: Ctx, query: string | null): Promise<Out[]> {
    const { tables } = this.opts;
    // A dropped table is gone from the source: use the encoding in hand, else the topic's latest.
    let enc: Encoding | undefined = ctx.before.get(tableKey(t.database, t.table)) ?? tables.known(t.database, t.table);
    if (!enc && query === null) enc = await tables.get(t.database, t.table);
    if (query === null && enc) ctx.after.set(tableKey(t.database, t.table), enc.valueId);
    enc ??= await this.lastEncoding(t, ctx.before);
    if (!enc) return []; // never published: nothing downstream to empty
    return this.marker(t, enc, 't', ctx, undefined, 0, query);
  }

  /** One marker record on every partition of the table's topic, so it is ordered with every key's rows. */
  private async marker(
    t: TableName,
    enc: Encoding,
    op: Op,
    ctx: Ctx,
    rename?: RenameHeader,
    row = 0,
    query: string | null = ctx.statement,
    extra?: RecordHeaders,
    /** A barrier on topics of several partitions (true), on any topic ('always'), or none. */
    barrier: boolean | 'always' = true,
  ): Promise<Out[]> {
    const { registry, topics, prefix } = this.opts;
    const { txn } = ctx;
    const envelope: ChangeEnvelope = {
      before: null,
      after: null,
      op,
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
        row,
        thread: null,
        query,
      },
    };
    const key = await registry.encode(ctx.truncateKey, { table: `${t.database}.${t.table}` });
    const value = await registry.encode(enc.valueId, envelope);
    const partitions = await topics.partitions(enc.topic);
    let headers: RecordHeaders | undefined;
    if (rename) headers = { [RENAME_HEADER]: JSON.stringify(rename) };
    else if ((op === 's' || op === 't') && (barrier === 'always' || (partitions > 1 && barrier))) {
      // A statement that removes rows (TRUNCATE [PARTITION], DROP TABLE) runs once every partition is at its marker.
      const id = `${txn.position.file}:${txn.position.pos}#${t.database}.${t.table}`;
      headers = { [BARRIER_HEADER]: JSON.stringify({ id, partitions }) };
    }
    if (extra) headers = { ...headers, ...extra };
    return Array.from({ length: partitions }, (_, partition) => ({
      topic: enc.topic,
      message: { key, value, partition, ...(headers ? { headers } : {}) },
    }));
  }
}

interface Ctx {
  txn: SourceTransaction;
  truncateKey: number;
  statement: string;
  before: Map<string, Encoding>;
  /** Value schema ids after the statement, by table. */
  after: Map<string, number>;
}

const name = (t: TableName) => `${t.database}.${t.table}`;
