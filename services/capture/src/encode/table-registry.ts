import {
  buildTableAvro,
  type Compatibility,
  keySubject,
  type Logger,
  type Registry,
  SluiceError,
  type TableAvro,
  type TableSchema,
  tableFingerprint,
  tableFromValueSchema,
  tableKey,
  valueSubject,
} from '@sluice/core';
import { type ColumnChanges, columnChanges, nextRenames, type RenameHistory } from '../event/column-changes.ts';
import { parseDdl } from '../event/ddl-statement.ts';
import { enumSetRepairs } from '../event/enum-set-repair.ts';
import { ensureTableTopic } from '../publish/table-topics.ts';
import type { TopicManager } from '../publish/topic-manager.ts';
import type { BinlogTableView } from '../source/binlog-reader.ts';
import type { TableCatalog } from '../source/table-catalog.ts';
import { AddedFills } from './added-fills.ts';
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
 *
 * Column renames come from the ALTER statements (afterDdl), never from comparing column sets.
 * Each table's rename history travels in every schema version (`sluice.renames`), so a sink at
 * any older version can rename, whatever DDLs came without a row between them. The history
 * lives in the registry: it is read back from the table's latest version when this process
 * first needs it, and a rename registers a version at once, before the checkpoint after the DDL
 * is committed, so that a restart right after a rename does not lose it.
 */
export class TableRegistry {
  private readonly byName = new Map<string, EncodedTable>();
  private readonly refused = new Set<string>();
  /** Versions built from binlog metadata for events written before a DDL, by fingerprint. */
  private readonly past = new Map<string, EncodedTable>();
  /** Rename history by table, as of the last DDL read (loaded from the registry on first use). */
  private readonly histories = new Map<string, Promise<RenameHistory>>();
  /** The encoding last used per table (never emptied by a DDL): see gone() and lastEncoding(). */
  private readonly lastUsed = new Map<string, EncodedTable>();
  /** Columns dropped by a DDL since the table's last registered version (a re-add of one is told). */
  private readonly dropped = new Map<string, Set<string>>();
  /** What old rows got when columns were added, where a later default differs (added-fills.ts). */
  private readonly fills = new AddedFills();
  private readonly opts: {
    prefix: string;
    catalog: TableCatalog;
    registry: Registry;
    topics: TopicManager;
    log: Logger;
    columns: ColumnRules;
    /** The level set on every table subject (schemaRegistry.compatibility); none when undefined. */
    compatibility?: Compatibility;
    /** Whether a table is captured (DDLs on other tables only invalidate). */
    accept?: (database: string, table: string) => boolean;
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

  /**
   * After a DDL statement: follow its column renames and drops in the rename history of the
   * tables it alters (a rename registers a version at once), start a new history for a table
   * created, dropped or renamed, and forget cached definitions so that the next row re-reads them.
   */
  async afterDdl(statement: string, database: string): Promise<void> {
    const parsed = parseDdl(statement, database);
    const accept = this.opts.accept ?? (() => true);
    const tables = parsed.tables.filter((t) => accept(t.database, t.table));
    const fresh =
      parsed.kind === 'drop_table' ||
      parsed.kind === 'rename_table' ||
      (parsed.kind === 'create_table' && !/\bIF\s+NOT\s+EXISTS\b/i.test(statement));
    if (fresh) for (const t of tables) this.histories.set(tableKey(t.database, t.table), Promise.resolve({}));
    const changes = parsed.kind === 'alter_table' ? columnChanges(statement) : undefined;
    this.fills.afterDdl(parsed.kind, tables, changes);
    this.invalidate();
    const t = tables[0];
    if (!t || !changes) return;
    const name = tableKey(t.database, t.table);
    const dropped = this.dropped.get(name) ?? new Set<string>();
    for (const d of changes.drops) dropped.add(d.toLowerCase());
    for (const r of changes.renames) dropped.delete(r.to.toLowerCase());
    this.dropped.set(name, dropped);
    if (changes.renames.length === 0 && changes.drops.length === 0) return;
    const before = await this.history(t.database, t.table);
    const after = nextRenames(before, changes);
    this.histories.set(name, Promise.resolve(after));
    if (changes.renames.length) await this.registerNow(t.database, t.table, changes);
  }

  /**
   * Registers the table's definition with the rename history just updated, so that the registry
   * holds the history before the checkpoint after the DDL is committed. The table of now when
   * its columns are the ones the statement left; read behind (a later DDL changed them), the
   * table right after the statement, as a past layout (never a later table: a restarted capture
   * takes the latest version as the table before its next DDL). A table that is gone by now has
   * nothing to register: its history is still in memory.
   */
  private async registerNow(database: string, table: string, changes: ColumnChanges): Promise<void> {
    let schema: TableSchema;
    try {
      schema = await this.opts.catalog.get(database, table);
    } catch (err) {
      if (err instanceof SluiceError && err.code === 'SOURCE_TABLE_UNSUPPORTED') return;
      throw err;
    }
    const last = this.lastUsed.get(tableKey(database, table));
    const after = last ? afterStatement(last.source, changes) : undefined;
    if (after && !sameNames(after.columns, schema.columns)) {
      // Rows after the statement take their layout from the binlog (get()): nothing cached.
      await this.encode(after);
      return;
    }
    const enc = await this.encode(schema);
    if (enc) this.byName.set(tableKey(database, table), enc);
  }

  /** The table's rename history, read once per process from its latest registered version. */
  private history(database: string, table: string): Promise<RenameHistory> {
    const name = tableKey(database, table);
    let p = this.histories.get(name);
    if (!p) {
      // The table's topic may be the mapped form (table-topic.ts): resolve it as the capture does.
      p = this.opts.topics
        .tableTopic(this.opts.prefix, database, table)
        .then((topic) => this.opts.registry.latest(valueSubject(topic)))
        .then((v) => renamesOf(v?.schema));
      this.histories.set(name, p);
      p.catch(() => this.histories.delete(name));
    }
    return p;
  }

  /**
   * A column dropped and added again with no row of the table between: sinks see one version
   * that still has the column, and cannot tell that the source reset its values. Said loudly,
   * since the targets keep the old values (docs/architecture.md, schema evolution).
   */
  private noteReAdded(t: TableSchema): void {
    const name = tableKey(t.database, t.table);
    const dropped = this.dropped.get(name);
    if (!dropped?.size) return;
    const again = t.columns.filter((c) => dropped.has(c.name.toLowerCase())).map((c) => c.name);
    this.dropped.delete(name);
    if (again.length) {
      this.opts.log.warn(
        { table: name, columns: again },
        'columns dropped and added again with no row between: targets keep their old values there; compare with sluice verify',
      );
    }
  }

  /**
   * The table's encoding of now, for a DDL marker: undefined, and nothing logged, when the table
   * is gone by now (a backlog read: a later DDL removed it) or cannot be captured.
   */
  async ofNow(database: string, table: string): Promise<EncodedTable | undefined> {
    const present = await this.opts.catalog.get(database, table).then(
      () => true,
      (err: unknown) => {
        if (err instanceof SluiceError && err.code === 'SOURCE_TABLE_UNSUPPORTED') return false;
        throw err;
      },
    );
    // Not noted as used: the table of now may be ahead of the DDL (a backlog); see markUsed.
    return present ? this.get(database, table, undefined, false) : undefined;
  }

  /**
   * The value schema the table of now would get, without registering it (a version registered
   * for a marker that is not published would stand as the subject's latest, rename history and
   * all): undefined when the table is gone or cannot be captured.
   */
  async valueSchemaOfNow(database: string, table: string): Promise<Record<string, unknown> | undefined> {
    try {
      const defined = await this.opts.catalog.get(database, table);
      const source = { ...defined, renames: await this.history(database, table) };
      return buildTableAvro(this.opts.prefix, projectTable(source, this.opts.columns).schema).valueSchema;
    } catch (err) {
      if (err instanceof SluiceError) return undefined;
      throw err;
    }
  }

  /** Notes a DDL marker's encoding as the table's last used one (it is the definition after the DDL). */
  markUsed(database: string, table: string, enc: EncodedTable): void {
    this.lastUsed.set(tableKey(database, table), enc);
  }

  /**
   * The encoding of `to` with the definition `from` had before a RENAME TABLE (which keeps the
   * definition): exact also in a backlog, where the table of now may be a later one.
   */
  async renamed(from: EncodedTable, to: { database: string; table: string }): Promise<EncodedTable | undefined> {
    return this.encode({ ...from.source, database: to.database, table: to.table });
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
  async get(database: string, table: string, view?: BinlogTableView, use = true): Promise<EncodedTable | undefined> {
    const name = tableKey(database, table);
    if (this.refused.has(name)) return undefined;
    let current = this.byName.get(name);
    if (!current) {
      const schema = await this.refuseOn(name, () =>
        this.opts.catalog.get(database, table).catch(async (err: unknown) => {
          if (err instanceof SluiceError && err.code === 'SOURCE_TABLE_UNSUPPORTED' && (await this.gone(database, table))) {
            return undefined;
          }
          throw err;
        }),
      );
      current = schema ? await this.encode(schema) : this.byName.get(name);
      if (!current) return undefined;
      this.byName.set(name, current);
    }
    const now = current;
    const at = view ? await this.refuseOn(name, async () => schemaAtEvent(now.source, view)) : undefined;
    if (!at) return use ? this.used(name, current) : current;
    const past = { ...at, renames: await this.history(database, table), pastLayout: true };
    const fp = tableFingerprint(past);
    let enc = this.past.get(fp);
    if (!enc) {
      enc = await this.encode(past);
      if (!enc) return undefined;
      this.past.set(fp, enc);
    }
    return use ? this.used(name, enc) : enc;
  }

  private used(name: string, enc: EncodedTable): EncodedTable {
    this.lastUsed.set(name, enc);
    return enc;
  }

  /**
   * The table last used for this name, when the table is gone from the source by now: rows
   * written before a RENAME or DROP and read after it (any DDL empties the cache) are encoded as
   * they were, not refused.
   */
  private async gone(database: string, table: string): Promise<EncodedTable | undefined> {
    const name = tableKey(database, table);
    if (await this.opts.catalog.exists(database, table)) return undefined;
    // A restarted capture has used nothing yet: the table as last published stands in.
    const last = this.lastUsed.get(name) ?? (await this.published(database, table));
    if (!last) return undefined;
    // Until the next DDL (which empties the cache; a CREATE of the name brings the new table).
    this.byName.set(name, last);
    return last;
  }

  /**
   * The table as its topic's latest registered version defines it (undefined: never published),
   * for a table this process has not encoded and the source no longer has under that name: a
   * restarted capture reading a backlog across a RENAME or DROP. Rows whose binlog layout
   * differs from it still get a version of their own (get()).
   */
  async published(database: string, table: string): Promise<EncodedTable | undefined> {
    const topic = await this.opts.topics.tableTopic(this.opts.prefix, database, table);
    const latest = await this.opts.registry.latest(valueSubject(topic));
    if (!latest) return undefined;
    return this.encode({ ...tableFromValueSchema(latest.schema).table, database, table });
  }

  /** The encoding last used for the table's rows or markers (a backlog's past version included). */
  lastEncoding(database: string, table: string): EncodedTable | undefined {
    return this.lastUsed.get(tableKey(database, table));
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

  /**
   * The table right after a DDL that dropped `dropped` from `prev` (a DDL marker's layout). The
   * table of now when its columns are exactly those (the capture is not behind: the rows after
   * the DDL get the same version, so a sink meets the change once); else a version of its own,
   * whose indexes and options are not known (sinks leave the target's). Undefined when nothing
   * is dropped or a key column would be.
   */
  async withoutColumns(prev: EncodedTable, dropped: string[]): Promise<EncodedTable | undefined> {
    const gone = new Set(dropped.map((d) => d.toLowerCase()));
    // Exactly the source's table at the DDL: not a past layout (sinks drop what it lacks).
    const { structure: _unknown, renames: _history, pastLayout: _past, ...source } = prev.source;
    const columns = source.columns.filter((c) => !gone.has(c.name.toLowerCase()));
    if (columns.length === source.columns.length || source.primaryKey.some((k) => gone.has(k.toLowerCase()))) return undefined;
    // Gone or unreadable now: a version of its own (exact either way).
    const now = await this.opts.catalog.get(source.database, source.table).catch(() => undefined);
    const exact = now && JSON.stringify(this.fills.apply(now).columns) === JSON.stringify(columns);
    return exact ? this.ofNow(source.database, source.table) : this.encode({ ...source, columns });
  }

  private async encode(defined: TableSchema): Promise<EncodedTable | undefined> {
    const name = tableKey(defined.database, defined.table);
    const source = { ...this.fills.apply(defined), renames: await this.history(defined.database, defined.table) };
    this.noteReAdded(source);
    const projected = await this.refuseOn(name, async () => projectTable(source, this.opts.columns));
    if (!projected) return undefined;
    const { schema, masks } = projected;
    const avro = await this.refuseOn(name, async () => buildTableAvro(this.opts.prefix, schema));
    if (!avro) return undefined;
    const topic = await ensureTableTopic(this.opts.topics, this.opts.prefix, schema.database, schema.table);
    const level = { compatibility: this.opts.compatibility, table: name };
    const [keyId, valueId] = await Promise.all([
      this.opts.registry.register(keySubject(topic), avro.keySchema, level),
      this.opts.registry.register(valueSubject(topic), avro.valueSchema, level),
    ]);
    this.opts.log.info({ table: name, topic, key: schema.primaryKey, keyId, valueId }, 'table schema registered');
    return { schema, source, masks, avro, topic, keyId, valueId, enumRepairs: enumSetRepairs(source.columns) };
  }
}

/** The rename history a registered value schema carries on its row record, or none. */
export function renamesOf(valueSchema: Record<string, unknown> | undefined): RenameHistory {
  const before = (valueSchema?.fields as { name: string; type: unknown }[] | undefined)?.find((f) => f.name === 'before');
  const record = Array.isArray(before?.type) ? (before.type as unknown[]).find((t) => typeof t === 'object' && t) : undefined;
  const renames = (record as Record<string, unknown> | undefined)?.['sluice.renames'];
  return renames && typeof renames === 'object' ? { ...(renames as RenameHistory) } : {};
}

const lower = (n: string): string => n.toLowerCase();

/**
 * The table right after an ALTER that renamed and dropped columns, from the table before it:
 * as a past layout without structure (its indexes may name old columns); a renamed column keeps
 * its type here, which CHANGE may have changed (rows take theirs from the binlog). Undefined when
 * a key column is dropped.
 */
export function afterStatement(before: TableSchema, changes: ColumnChanges): TableSchema | undefined {
  const gone = new Set(changes.drops.map(lower));
  if (before.primaryKey.some((k) => gone.has(lower(k)))) return undefined;
  const rename = (name: string): string => changes.renames.reduce((n, r) => (lower(n) === lower(r.from) ? r.to : n), name);
  const { structure: _unknown, ...table } = before;
  return {
    ...table,
    columns: before.columns.filter((c) => !gone.has(lower(c.name))).map((c) => ({ ...c, name: rename(c.name) })),
    primaryKey: before.primaryKey.map(rename),
    pastLayout: true,
  };
}

const sameNames = (a: { name: string }[], b: { name: string }[]): boolean =>
  a.length === b.length && a.every((c, i) => lower(c.name) === lower(b[i]?.name ?? ''));
