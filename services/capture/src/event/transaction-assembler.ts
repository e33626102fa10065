import type { BinlogPosition, SourceBlock } from '@sluice/core';
import type { EncodedTable } from '../encode/table-registry.ts';
import type { BinlogTableView, SourceEvent } from '../source/binlog-reader.ts';
import { buildChanges, type KeyedChange, numberTransaction, type RowImage } from './change-builder.ts';

export const CONNECTOR_VERSION = '0.1.0';

export interface TableChange {
  table: EncodedTable;
  change: KeyedChange;
}

/** A whole source transaction (or a DDL statement), ready to encode, and the position after it. */
export interface SourceTransaction {
  /** The GTID, or the position for a source without GTIDs. */
  id: string;
  gtid: string | null;
  changes: TableChange[];
  bytes: number;
  position: BinlogPosition;
  sourceTsMs: number;
  ddl?: { database: string; statement: string };
}

/**
 * Groups binlog events into source transactions (design contract 4: a Kafka transaction never
 * holds part of one). push() returns a transaction when its commit (or a DDL) arrives.
 */
export class TransactionAssembler {
  private readonly opts: {
    prefix: string;
    serverId: number;
    tombstones: boolean;
    table: (database: string, table: string, view?: BinlogTableView) => Promise<EncodedTable | undefined>;
    /** Told of each DML statement event on captured tables, in binlog order; throws to stop the capture there. */
    onStatementDml?: (e: Extract<SourceEvent, { kind: 'statement' }>) => void;
  };
  private open: { gtid: string | null; changes: TableChange[]; bytes: number; row: number } | undefined;

  constructor(opts: TransactionAssembler['opts']) {
    this.opts = opts;
  }

  async push(e: SourceEvent): Promise<SourceTransaction | undefined> {
    switch (e.kind) {
      case 'begin':
        this.open = { gtid: e.gtid, changes: [], bytes: 0, row: 0 };
        return undefined;
      case 'rows':
        await this.rows(e);
        return undefined;
      case 'statement':
        this.opts.onStatementDml?.(e);
        return undefined;
      case 'commit':
      case 'ddl': {
        const txn = this.open;
        this.open = undefined;
        const gtid = txn?.gtid ?? e.gtid;
        const id = gtid ?? e.position.toString();
        const changes = e.kind === 'commit' ? (txn?.changes ?? []) : [];
        for (const { change } of changes) {
          if (!change.value) continue;
          change.value.source.file = e.position.file;
          change.value.source.pos = e.position.pos;
        }
        numberTransaction(
          id,
          changes.map((c) => ({ topic: c.table.topic, change: c.change })),
        );
        return {
          id,
          gtid,
          changes,
          bytes: txn?.bytes ?? 0,
          position: e.position,
          sourceTsMs: e.ts_ms,
          ...(e.kind === 'ddl' ? { ddl: { database: e.database, statement: e.query } } : {}),
        };
      }
    }
  }

  private async rows(e: Extract<SourceEvent, { kind: 'rows' }>): Promise<void> {
    this.open ??= { gtid: null, changes: [], bytes: 0, row: 0 };
    const txn = this.open;
    const table = await this.opts.table(e.database, e.table, e.binlogTable);
    if (!table) return;
    txn.bytes += e.bytes;
    const repairs = !e.exactEnums && table.enumRepairs.size ? table.enumRepairs : undefined;
    const fix = (row: RowImage | null) => prepareRow(row, table.masks, repairs);
    for (const r of e.rows) {
      const pair = r as { before: RowImage; after: RowImage };
      const before = fix(e.op === 'insert' ? null : e.op === 'update' ? pair.before : (r as RowImage));
      const after = fix(e.op === 'delete' ? null : e.op === 'update' ? pair.after : (r as RowImage));
      const source: SourceBlock = {
        version: CONNECTOR_VERSION,
        connector: 'sluice',
        name: this.opts.prefix,
        ts_ms: e.ts_ms,
        snapshot: 'false',
        db: e.database,
        sequence: null,
        table: e.table,
        server_id: this.opts.serverId,
        gtid: txn.gtid,
        file: '',
        pos: 0,
        row: txn.row++,
        thread: null,
        query: null,
      };
      const changes = buildChanges({
        op: e.op,
        before,
        after,
        table: table.schema,
        avro: table.avro,
        source,
        tombstones: this.opts.tombstones,
        now: Date.now(),
      });
      for (const change of changes) txn.changes.push({ table, change });
    }
  }
}

/** A row image as published: ENUM/SET values repaired if needed, masked columns hashed. */
export function prepareRow(
  row: RowImage | null,
  masks: Map<string, (v: unknown) => string>,
  repairs?: Map<string, (v: string) => string>,
): RowImage | null {
  if (!row || (masks.size === 0 && !repairs)) return row;
  const out = { ...row };
  for (const [column, fix] of repairs ?? []) {
    const v = out[column];
    if (typeof v === 'string') out[column] = fix(v);
  }
  for (const [column, mask] of masks) {
    const v = out[column];
    if (v !== null && v !== undefined) out[column] = mask(v);
  }
  return out;
}
