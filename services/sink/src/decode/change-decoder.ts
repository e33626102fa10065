import { type Registry, type RenameHeader, SluiceError, type SqlParam, schemaIdOf } from '@sluice/core';
import { partitionStatement } from '../plan/partition-statement.ts';
import type { MarkerAt, TableAction, TargetName } from '../plan/table-action.ts';
import { compileEnvelopeReader, type EnvelopeView } from './envelope-reader.ts';
import { sourceVersion } from './source-version.ts';
import { type TargetTable, targetTableFromSchema } from './target-table.ts';

/**
 * A marker on a topic of several partitions (`sluice.barrier`, sink.ts): applied once every
 * partition has reached it (`at` is this one), none going past its marker before.
 */
export interface Barrier {
  id: string;
  partitions: number;
  at: number;
  marker?: MarkerAt;
}

/** A change reduced to what the target needs: the full row to upsert, or the key to delete. */
export type TargetChange =
  | {
      kind: 'upsert';
      /** Insert, update, or a snapshot read: what event filters tell apart. */
      op: 'c' | 'u' | 'r';
      table: TargetTable;
      key: SqlParam[];
      row: SqlParam[];
      sourceTsMs: number;
      position: string;
      version: string;
    }
  | { kind: 'delete'; table: TargetTable; key: SqlParam[]; sourceTsMs: number; position: string; version: string }
  | { kind: 'truncate'; table: TargetTable; sourceTsMs: number; position: string; version: string; barrier?: Barrier }
  | { kind: 'drop'; table: TargetTable; sourceTsMs: number; position: string; version: string; barrier?: Barrier }
  /** A DDL marker (op s): the target follows the table's layout, writes no row, and runs `action` if any. */
  | {
      kind: 'schema';
      table: TargetTable;
      sourceTsMs: number;
      position: string;
      version: string;
      query: string | null;
      action?: TableAction;
      /** A rename's marker: its header (capture) and the new name as routed (sink.ts). */
      rename?: { header: RenameHeader; to: TargetName; from?: TargetName };
      /** A layout change on a topic of several partitions: followed once every partition reached it. */
      barrier?: Barrier;
    }
  | { kind: 'skip' };

type Row = Record<string, unknown>;

const DROP_TABLE = /^\s*DROP\s+(?:TEMPORARY\s+)?TABLE\b/i;

/** A schema id's table layout and, when its shape allows, a compiled reader (envelope-reader.ts). */
interface Layout {
  table: TargetTable;
  read: ((buf: Buffer, offset: number) => EnvelopeView) | undefined;
}

/** Where the decoder gets a schema id's schema: the registry, or a restore's archive files (their metadata). */
export type SchemaSource = Pick<Registry, 'rawSchema' | 'decode'>;

/** Decodes Kafka values into target changes; table layouts and readers cached by schema id. */
export class ChangeDecoder {
  private readonly registry: SchemaSource;
  private readonly layouts = new Map<number, Layout>();
  private readonly loading = new Map<number, Promise<Layout>>();

  /** Source versions are only needed by the stale-write guard. */
  private readonly versions: boolean;

  constructor(registry: SchemaSource, opts: { versions?: boolean } = {}) {
    this.registry = registry;
    this.versions = opts.versions ?? true;
  }

  async decode(value: Buffer | null): Promise<TargetChange> {
    if (value) await this.layout(schemaIdOf(value));
    return this.decodeKnown(value) ?? this.decodeWithAvsc(value as Buffer);
  }

  /**
   * The change, synchronously, when the record's schema id has been seen and compiled (the hot
   * path: no promise per record); undefined otherwise (then call decode()).
   */
  decodeKnown(value: Buffer | null): TargetChange | undefined {
    // A tombstone only serves compaction; the delete before it did the work.
    if (!value) return { kind: 'skip' };
    const layout = this.layouts.get(schemaIdOf(value));
    if (!layout?.read) return undefined;
    const e = layout.read(value, 5);
    return this.change(layout.table, e);
  }

  private async decodeWithAvsc(value: Buffer): Promise<TargetChange> {
    const { table } = await this.layout(schemaIdOf(value));
    const { value: env } = await this.registry.decode(value);
    const e = env as { op: string; before: Row | null; after: Row | null; source: EnvelopeView['source'] };
    const params = (row: Row | null) =>
      row &&
      table.columns.map((c) => {
        const v = row[c.field];
        return v === null || v === undefined ? null : c.codec.toSql(v);
      });
    return this.change(table, { op: e.op, source: e.source, before: params(e.before), after: params(e.after) });
  }

  /** Row images as SQL parameters -> the change; keys are the key columns of the images. */
  private change(table: TargetTable, e: EnvelopeView): TargetChange {
    const key = (row: SqlParam[]) => table.keyIndexes.map((i) => row[i] as SqlParam);
    const sourceTsMs = Number(e.source.ts_ms);
    const position = e.source.gtid ?? `${e.source.file}:${e.source.pos}`;
    const version = this.versions ? sourceVersion(e.source) : '0';
    switch (e.op) {
      case 'c':
      case 'u':
      case 'r':
        if (!e.after) throw new SluiceError('DECODE_FAILED', `op ${e.op} without an after image`);
        return { kind: 'upsert', op: e.op, table, key: key(e.after), row: e.after, sourceTsMs, position, version };
      case 'd':
        if (!e.before) throw new SluiceError('DECODE_FAILED', 'delete without a before image');
        return { kind: 'delete', table, key: key(e.before), sourceTsMs, position, version };
      case 't':
        // Capture marks a DROP TABLE as op t with the statement in source.query (ddl-records.ts).
        if (DROP_TABLE.test(e.source.query ?? '')) return { kind: 'drop', table, sourceTsMs, position, version };
        return { kind: 'truncate', table, sourceTsMs, position, version };
      case 's': {
        // sluice's schema-change marker (capture publish/ddl-records.ts); renames come from its headers (sink.ts).
        const query = e.source.query ?? null;
        const partition = partitionStatement(query);
        const action: TableAction | undefined =
          partition && query ? { kind: 'partition', statement: query, partition, position } : undefined;
        return { kind: 'schema', table, sourceTsMs, position, version, query, ...(action ? { action } : {}) };
      }
      default:
        throw new SluiceError('DECODE_FAILED', `op ${e.op} is not handled by this sink version`);
    }
  }

  private layout(id: number): Promise<Layout> {
    const hit = this.layouts.get(id);
    if (hit) return Promise.resolve(hit);
    let p = this.loading.get(id);
    if (!p) {
      p = this.registry.rawSchema(id).then((schema) => {
        const table = targetTableFromSchema(schema);
        const layout = { table, read: compileEnvelopeReader(schema, table) };
        this.layouts.set(id, layout);
        return layout;
      });
      this.loading.set(id, p);
      p.catch(() => this.loading.delete(id));
    }
    return p;
  }
}
