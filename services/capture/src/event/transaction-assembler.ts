import { type BinlogPosition, SluiceError, type SourceBlock } from '@sluice/core';
import type { EncodedTable } from '../encode/table-registry.ts';
import type { BinlogTableView, SourceEvent } from '../source/binlog-reader.ts';
import { eventMemoryBytes } from '../source/event-cost.ts';
import {
  buildChanges,
  type KeyedChange,
  newOrder,
  numberTransaction,
  type RowImage,
  type TransactionOrder,
} from './change-builder.ts';

export const CONNECTOR_VERSION = '0.1.0';

export interface TableChange {
  table: EncodedTable;
  change: KeyedChange;
}

/**
 * A whole source transaction (or a DDL statement), ready to encode, and the position after it;
 * or, for a transaction too large to hold, one part of it (`partial`): its changes so far, to go
 * into the open Kafka transaction that the transaction's last part commits.
 */
export interface SourceTransaction {
  /** The GTID, or the position for a source without GTIDs (of its first part's end, when streamed). */
  id: string;
  gtid: string | null;
  changes: TableChange[];
  bytes: number;
  position: BinlogPosition;
  sourceTsMs: number;
  ddl?: { database: string; statement: string };
  /** More of this source transaction follows: no checkpoint may be taken after this part. */
  partial?: boolean;
  /** The part's number (1, 2, ...) in a streamed transaction; absent when it came whole. */
  part?: number;
}

type OpenTransaction = {
  gtid: string | null;
  changes: TableChange[];
  /** Memory bytes of the changes held (since the last part, when streamed): binlog bytes plus a cost per row. */
  bytes: number;
  row: number;
  order: TransactionOrder;
  /** Set once the transaction is streamed in parts: its id and the number of parts so far. */
  streamed?: { id: string; parts: number };
  /** Written by a sink of the other direction (origin marker): its changes are not captured. */
  marked?: boolean;
};

const openTxn = (gtid: string | null): OpenTransaction => ({ gtid, changes: [], bytes: 0, row: 0, order: newOrder() });

/** Memory bytes of changes held before they go out as a part of their transaction (design contract 8; source/event-cost.ts). */
export const STREAM_BYTES = 8 * 1024 * 1024;

/**
 * An XA COMMIT whose PREPARE this capture did not read: the prepare lies before where it started
 * (a restart between the two, or a snapshot taken while the transaction was prepared), so its rows
 * are not in hand. Publishing nothing would lose them silently.
 */
function xaUnknown(xid: string, at: BinlogPosition): SluiceError {
  return new SluiceError(
    'SOURCE_XA_UNKNOWN',
    `XA COMMIT ${xid} at ${at.file}:${at.pos} commits a transaction prepared before this capture's start position, so its rows were not read: ` +
      'capture stops here; repair the targets for the tables that transaction wrote (sluice verify --fix), then reset the capture past this position',
  );
}

/**
 * An XA transaction is held until its XA COMMIT, which may come after other transactions: one
 * that had to be streamed cannot wait in an open Kafka transaction for it.
 */
function xaTooLarge(xid: string, at: BinlogPosition): SluiceError {
  return new SluiceError(
    'SOURCE_XA_TOO_LARGE',
    `XA PREPARE ${xid} at ${at.file}:${at.pos} ends a transaction larger than the capture holds in memory (${STREAM_BYTES} bytes of decoded rows), ` +
      'so it was streamed and cannot wait for its XA COMMIT: split the XA transaction on the source',
  );
}

/**
 * Groups binlog events into source transactions (design contract 4: a Kafka transaction never
 * holds part of one, nor a source transaction spans Kafka transactions). push() returns a
 * transaction when its commit (or a DDL) arrives; a transaction whose changes outgrow
 * STREAM_BYTES is returned in parts as it is read (memory stays bounded), which the publisher
 * writes into one open Kafka transaction.
 */
export class TransactionAssembler {
  private readonly opts: {
    prefix: string;
    serverId: number;
    tombstones: boolean;
    table: (database: string, table: string, view?: BinlogTableView) => Promise<EncodedTable | undefined>;
    /** Source bytes held before a transaction goes out in parts (STREAM_BYTES unless a test says otherwise). */
    streamBytes?: number;
    /** Told of each DML statement event on captured tables, in binlog order; throws to stop the capture there. */
    onStatementDml?: (e: Extract<SourceEvent, { kind: 'statement' }>) => void;
    /** Told of rows logged without all their columns, in binlog order; throws to stop the capture there. */
    onPartialRows?: (e: Extract<SourceEvent, { kind: 'partial_rows' }>) => void;
    /** An origin marker table (skipTransactionsMarkedBy): a transaction writing it is not captured. */
    marker?: (database: string, table: string) => boolean;
    /** Told of each transaction left out for its origin marker. */
    onMarked?: () => void;
  };
  private open: OpenTransaction | undefined;
  /** Prepared XA transactions by xid, until their XA COMMIT or XA ROLLBACK. */
  private readonly prepared = new Map<string, OpenTransaction>();

  constructor(opts: TransactionAssembler['opts']) {
    this.opts = opts;
  }

  async push(e: SourceEvent): Promise<SourceTransaction | undefined> {
    switch (e.kind) {
      case 'begin':
        this.open = openTxn(e.gtid);
        return undefined;
      case 'rows':
        await this.rows(e);
        return (this.open?.bytes ?? 0) >= (this.opts.streamBytes ?? STREAM_BYTES) ? this.part(e) : undefined;
      case 'xa_prepare': {
        if (this.open?.streamed) throw xaTooLarge(e.xid, e.position);
        // Held until its outcome: a prepared XA transaction may still roll back.
        this.prepared.set(e.xid, this.open ?? openTxn(e.gtid));
        this.open = undefined;
        return this.empty(e);
      }
      case 'xa_outcome': {
        const txn = this.prepared.get(e.xid);
        this.prepared.delete(e.xid);
        if (!e.commit) return this.empty(e);
        if (!txn) throw xaUnknown(e.xid, e.position);
        return this.close(txn, e);
      }
      case 'statement':
        this.opts.onStatementDml?.(e);
        return undefined;
      case 'partial_rows':
        this.opts.onPartialRows?.(e);
        return undefined;
      case 'commit':
      case 'ddl': {
        const txn = this.open;
        this.open = undefined;
        return this.close(
          e.kind === 'commit' ? txn : undefined,
          e,
          e.kind === 'ddl' ? { database: e.database, statement: e.query } : undefined,
        );
      }
    }
  }

  /** A transaction's changes, stamped with the position that ends it. */
  private close(
    txn: OpenTransaction | undefined,
    e: { position: BinlogPosition; gtid: string | null; ts_ms: number },
    ddl?: { database: string; statement: string },
  ): SourceTransaction {
    const gtid = txn?.gtid ?? e.gtid;
    const id = txn?.streamed?.id ?? gtid ?? e.position.toString();
    const changes = txn?.changes ?? [];
    stamp(changes, id, e.position, txn?.order);
    const part = txn?.streamed ? { part: txn.streamed.parts + 1 } : {};
    return {
      id,
      gtid,
      changes,
      bytes: txn?.bytes ?? 0,
      position: e.position,
      sourceTsMs: e.ts_ms,
      ...part,
      ...(ddl ? { ddl } : {}),
    };
  }

  /**
   * The open transaction's changes so far, as a part to stream. Its records carry the position
   * of the rows event that ends the part: later than every change before, earlier than the commit.
   */
  private part(e: Extract<SourceEvent, { kind: 'rows' }>): SourceTransaction {
    const txn = this.open as OpenTransaction;
    txn.streamed ??= { id: txn.gtid ?? e.position.toString(), parts: 0 };
    txn.streamed.parts += 1;
    const { id } = txn.streamed;
    const changes = txn.changes;
    stamp(changes, id, e.position, txn.order);
    const out: SourceTransaction = {
      id,
      gtid: txn.gtid,
      changes,
      bytes: txn.bytes,
      position: e.position,
      sourceTsMs: e.ts_ms,
      partial: true,
      part: txn.streamed.parts,
    };
    txn.changes = [];
    txn.bytes = 0;
    return out;
  }

  /** No changes, only the position (the checkpoint moves past an XA PREPARE or ROLLBACK). */
  private empty(e: { position: BinlogPosition; gtid: string | null; ts_ms: number }): SourceTransaction {
    return this.close(undefined, e);
  }

  private async rows(e: Extract<SourceEvent, { kind: 'rows' }>): Promise<void> {
    this.open ??= openTxn(null);
    const txn = this.open;
    // A sink of the other direction wrote this transaction (its marker comes first): nothing of it is sent back.
    if (txn.marked) return;
    if (this.opts.marker?.(e.database, e.table)) {
      txn.marked = true;
      txn.changes = [];
      txn.bytes = 0;
      this.opts.onMarked?.();
      return;
    }
    const table = await this.opts.table(e.database, e.table, e.binlogTable);
    if (!table) return;
    txn.bytes += eventMemoryBytes(e);
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

/** Position and transaction block of changes that go out together. */
function stamp(changes: TableChange[], id: string, at: BinlogPosition, order: TransactionOrder | undefined): void {
  for (const { change } of changes) {
    if (!change.value) continue;
    change.value.source.file = at.file;
    change.value.source.pos = at.pos;
  }
  numberTransaction(
    id,
    changes.map((c) => ({ topic: c.table.topic, change: c.change })),
    order,
  );
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
