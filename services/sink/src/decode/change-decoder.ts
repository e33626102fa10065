import { type Registry, SluiceError, type SqlParam, schemaIdOf } from '@sluice/core';
import { sourceVersion } from './source-version.ts';
import { type TargetTable, targetTableFromSchema } from './target-table.ts';

/** A change reduced to what the target needs: the full row to upsert, or the key to delete. */
export type TargetChange =
  | {
      kind: 'upsert';
      table: TargetTable;
      key: SqlParam[];
      row: SqlParam[];
      sourceTsMs: number;
      position: string;
      version: string;
    }
  | { kind: 'delete'; table: TargetTable; key: SqlParam[]; sourceTsMs: number; position: string; version: string }
  | { kind: 'truncate'; table: TargetTable; sourceTsMs: number; position: string; version: string }
  | { kind: 'skip' };

type Row = Record<string, unknown>;

/** Decodes Kafka values into target changes; table layouts cached by schema id. */
export class ChangeDecoder {
  private readonly registry: Registry;
  private readonly tables = new Map<number, Promise<TargetTable>>();

  /** Source versions are only needed by the stale-write guard. */
  private readonly versions: boolean;

  constructor(registry: Registry, opts: { versions?: boolean } = {}) {
    this.registry = registry;
    this.versions = opts.versions ?? true;
  }

  async decode(value: Buffer | null): Promise<TargetChange> {
    // A tombstone only serves compaction; the delete before it did the work.
    if (!value) return { kind: 'skip' };
    const id = schemaIdOf(value);
    const table = await this.table(id);
    const { value: env } = await this.registry.decode(value);
    const e = env as {
      op: string;
      before: Row | null;
      after: Row | null;
      source: { ts_ms: bigint | number; gtid: string | null; file: string; pos: bigint | number; row: number };
    };
    const sourceTsMs = Number(e.source.ts_ms);
    const position = e.source.gtid ?? `${e.source.file}:${e.source.pos}`;
    const version = this.versions ? sourceVersion(e.source) : '0';
    const params = (row: Row, cols = table.columns) =>
      cols.map((c) => {
        const v = row[c.field];
        return v === null || v === undefined ? null : c.codec.toSql(v);
      });
    switch (e.op) {
      case 'c':
      case 'u':
      case 'r':
        if (!e.after) throw new SluiceError('DECODE_FAILED', `op ${e.op} without an after image`);
        return { kind: 'upsert', table, key: params(e.after, table.key), row: params(e.after), sourceTsMs, position, version };
      case 'd':
        if (!e.before) throw new SluiceError('DECODE_FAILED', 'delete without a before image');
        return { kind: 'delete', table, key: params(e.before, table.key), sourceTsMs, position, version };
      case 't':
        return { kind: 'truncate', table, sourceTsMs, position, version };
      default:
        throw new SluiceError('DECODE_FAILED', `op ${e.op} is not handled by this sink version`);
    }
  }

  private table(id: number): Promise<TargetTable> {
    let p = this.tables.get(id);
    if (!p) {
      p = this.registry.rawSchema(id).then(targetTableFromSchema);
      this.tables.set(id, p);
      p.catch(() => this.tables.delete(id));
    }
    return p;
  }
}
