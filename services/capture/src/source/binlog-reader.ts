import { BinlogPosition, type ColumnDef, type Logger, type MysqlEndpoint, mysqlOptionsFromUrl, SluiceError } from '@sluice/core';
import ZongJi, { GtidSet, MariadbGtidPosition } from '@vlasky/zongji';
import type { DmlVerb, TableName } from '../event/query-statement.ts';
import { QueryEvents } from './query-events.ts';
import { xidText } from './xa-statement.ts';

/** Binlog events as the rest of capture sees them; zongji stays behind this file. */
export type SourceEvent =
  | { kind: 'begin'; gtid: string | null; ts_ms: number }
  | {
      kind: 'rows';
      op: 'insert' | 'update' | 'delete';
      database: string;
      table: string;
      rows: Record<string, unknown>[] | { before: Record<string, unknown>; after: Record<string, unknown> }[];
      ts_ms: number;
      bytes: number;
      /** Where the event ends: the position of rows streamed before their transaction's commit. */
      position: BinlogPosition;
      /** false when zongji decoded ENUM/SET from information_schema instead of binlog metadata. */
      exactEnums: boolean;
      /** The table as this event's TableMap describes it (binlog metadata): the schema in force when it was written. */
      binlogTable: BinlogTableView | undefined;
    }
  | { kind: 'commit'; position: BinlogPosition; gtid: string | null; ts_ms: number }
  /** `query` is redacted (query-events.ts): no password of CREATE USER & co. goes further. */
  | { kind: 'ddl'; database: string; query: string; position: BinlogPosition; gtid: string | null; ts_ms: number }
  /**
   * DML logged as a statement (a session with binlog_format STATEMENT or MIXED) that writes
   * captured tables: its change never comes as rows. Inside its transaction; not a boundary.
   */
  /** Rows a session logged with binlog_row_image MINIMAL or NOBLOB: not all columns are in the binlog. */
  | { kind: 'partial_rows'; database: string; table: string; at: BinlogPosition; gtid: string | null }
  | {
      kind: 'statement';
      verb: DmlVerb;
      /** The captured tables it writes; with `unnamed`, a stored function wrote tables it does not name. */
      tables: TableName[];
      unnamed: boolean;
      /** Where the event starts (mysqlbinlog --start-position). */
      at: BinlogPosition;
      gtid: string | null;
      ts_ms: number;
    }
  /** A two-phase XA transaction's rows end at its PREPARE; its outcome comes later (xa-statement.ts). */
  | { kind: 'xa_prepare'; xid: string; position: BinlogPosition; gtid: string | null; ts_ms: number }
  | { kind: 'xa_outcome'; xid: string; commit: boolean; position: BinlogPosition; gtid: string | null; ts_ms: number };

/** Columns and key of a table from binlog metadata; types approximate where the binlog lacks detail. */
export interface BinlogTableView {
  columns: ColumnDef[];
  primaryKey: string[] | undefined;
  /** Whether `nullable` of the columns came from the TableMap's null bitmap (else every column says nullable). */
  nullability?: boolean;
}

/** The binlog events capture asks zongji for; zongji does not decode the others. */
export const BINLOG_EVENTS = [
  'tablemap',
  'writerows',
  'updaterows',
  'deleterows',
  'xid',
  'xaprepare',
  'query',
  // LOAD DATA written as a statement (patches/@vlasky+zongji+0.9.0+001+execute-load-query.patch)
  'executeloadquery',
  'mariadbgtid',
  'gtid',
  'anonymousgtid',
  'rotate',
];

/** Transaction boundaries and DDL only: rows events are skipped unparsed (locating a time, time-start.ts). */
export const BOUNDARY_EVENTS = BINLOG_EVENTS.filter((e) => !['tablemap', 'writerows', 'updaterows', 'deleterows'].includes(e));

export type StartFrom = { position: BinlogPosition } | { gtid: string } | { end: true };

/**
 * Streams row events from the source. `onEvent` is called synchronously in binlog order; the
 * caller applies backpressure with pause()/resume(). Contract: between a 'begin' and its
 * 'commit' come only that transaction's 'rows'; a position in 'commit'/'ddl' is where reading can
 * resume without repeating the transaction.
 */
export class BinlogReader {
  private zongji: ZongJi | undefined;
  private readonly log: Logger;
  private readonly keys = new Map<number, string[]>();
  /** Per table id, whether each column accepts NULL as of its last TableMap (zongji patched: patches/). */
  private readonly nulls = new Map<number, boolean[]>();
  private readonly views = new WeakMap<object, BinlogTableView>();

  constructor(log: Logger) {
    this.log = log;
  }

  start(opts: {
    /** The source's URL, TLS and password: zongji opens its two connections (queries, binlog) with them. */
    source: string | MysqlEndpoint;
    serverId: number;
    from: StartFrom;
    accept: (database: string, table: string) => boolean;
    onEvent: (e: SourceEvent) => void;
    onError: (e: SluiceError) => void;
    /** The events to decode (default BINLOG_EVENTS). */
    events?: readonly string[];
  }): Promise<void> {
    const zongji = new ZongJi(mysqlOptionsFromUrl(opts.source));
    this.zongji = zongji;
    const here = (pos: number) => new BinlogPosition(String(zongji.options.filename), pos, zongji.gtidSet ?? null);
    const queries = new QueryEvents(opts.accept);
    zongji.on('binlog', (e: any) => {
      const ts_ms = e.timestamp as number;
      switch (e.getEventName()) {
        case 'tablemap': {
          const nullable = e.columnNullability?.() as boolean[] | undefined;
          if (nullable) this.nulls.set(e.tableId, nullable);
          else this.nulls.delete(e.tableId);
          if (e.primaryKey && e.columnNames)
            this.keys.set(
              e.tableId,
              (e.primaryKey as number[]).map((i) => e.columnNames[i]),
            );
          break;
        }
        case 'mariadbgtid':
          if (!e.standalone) opts.onEvent({ kind: 'begin', gtid: e.gtid ?? null, ts_ms });
          break;
        case 'gtid':
        case 'anonymousgtid':
          opts.onEvent({ kind: 'begin', gtid: e.gtid ?? null, ts_ms });
          break;
        case 'writerows':
        case 'updaterows':
        case 'deleterows': {
          const tm = e.tableMap[e.tableId];
          if (!tm || !opts.accept(tm.parentSchema, tm.tableName)) return;
          if (
            !fullImage(e.columns_present_bitmap, e.numberOfColumns) ||
            (e.columns_present_bitmap2 && !fullImage(e.columns_present_bitmap2, e.numberOfColumns))
          ) {
            // The rows lack columns: they go no further; the policy decides (partial-row-image.ts).
            opts.onEvent({
              kind: 'partial_rows',
              database: tm.parentSchema,
              table: tm.tableName,
              at: here(e.nextPosition),
              gtid: e.gtid ?? null,
            });
            return;
          }
          const op = e.getEventName() === 'writerows' ? 'insert' : e.getEventName() === 'updaterows' ? 'update' : 'delete';
          const exactEnums = (tm.columnSchemas ?? []).every(
            (c: any) => !/^(enum|set)\(/i.test(c.COLUMN_TYPE) || c.ENUM_VALUES || c.SET_VALUES,
          );
          const binlogTable = this.view(tm.columnSchemas, this.keys.get(e.tableId), this.nulls.get(e.tableId));
          opts.onEvent({
            kind: 'rows',
            op,
            database: tm.parentSchema,
            table: tm.tableName,
            rows: e.rows,
            ts_ms,
            bytes: e.size,
            position: here(e.nextPosition),
            exactEnums,
            binlogTable,
          });
          break;
        }
        case 'xid':
          opts.onEvent({ kind: 'commit', position: here(e.nextPosition), gtid: e.gtid ?? null, ts_ms });
          break;
        case 'xaprepare': {
          const xid = xidText(e.xidGtrid, e.xidBqual, e.xidFormatId);
          // XA COMMIT ... ONE PHASE ends like an ordinary transaction.
          if (e.onePhase) opts.onEvent({ kind: 'commit', position: here(e.nextPosition), gtid: e.gtid ?? null, ts_ms });
          else opts.onEvent({ kind: 'xa_prepare', xid, position: here(e.nextPosition), gtid: e.gtid ?? null, ts_ms });
          break;
        }
        case 'query':
        case 'executeloadquery':
          for (const out of queries.read({
            query: String(e.query),
            database: String(e.schema ?? ''),
            thread: Number(e.slaveProxyId),
            gtid: e.gtid ?? null,
            ts_ms,
            at: here(eventStart(e, zongji)),
            next: here(e.nextPosition),
            // A DDL has no commit marker, so zongji folds its GTID only when the next group
            // starts; the checkpoint after it must already include it.
            ddlPosition: () => {
              const p = here(e.nextPosition);
              return p.withGtidSet(includeGtid(p.gtidSet, e.gtid));
            },
          }))
            opts.onEvent(out);
          break;
      }
    });
    return new Promise((resolve, reject) => {
      let ready = false;
      // zongji's 'ready' comes before the server has accepted the start position; the server
      // answers a good one with an (artificial) rotate event and a bad one with an error, so the
      // stream counts as started at its first event.
      zongji.once('binlog', () => {
        ready = true;
        resolve();
      });
      zongji.on('error', (err: any) => {
        const purged = err?.errno === 1236 || err?.errno === 1945 || err?.errno === 1955;
        const e = purged
          ? new SluiceError(
              'BINLOG_PURGED',
              `the source no longer has the binlog at ${describe(opts.from)} (${err?.message}); ` +
                'take a new snapshot (snapshot.mode: when_needed) or reset the capture',
              { cause: err },
            )
          : unsupportedEvent(err)
            ? new SluiceError('SOURCE_EVENT_UNSUPPORTED', `the binlog holds row changes capture cannot decode: ${err.message}`, {
                cause: err,
              })
            : new SluiceError('BINLOG_STREAM', `binlog stream failed: ${err?.message ?? err}`, { cause: err });
        if (!ready) reject(e);
        else opts.onError(e);
      });
      // Resume by GTID where there is one (it survives a failover to another server of the
      // topology); otherwise by file and position.
      const f = opts.from;
      const from =
        'gtid' in f
          ? { gtidSet: f.gtid }
          : 'position' in f
            ? f.position.gtidSet
              ? { gtidSet: f.position.gtidSet }
              : { filename: f.position.file, position: f.position.pos }
            : { startAtEnd: true };
      this.log.info({ from: describe(f), by: 'gtidSet' in from ? 'gtid' : 'position' }, 'starting binlog stream');
      zongji.start({
        serverId: opts.serverId,
        ...from,
        includeEvents: [...(opts.events ?? BINLOG_EVENTS)],
      });
    });
  }

  /** The binlog's view of a table, built once per TableMap metadata object. */
  private view(columnSchemas: any[] | undefined, key: string[] | undefined, nulls?: boolean[]): BinlogTableView | undefined {
    if (!columnSchemas) return undefined;
    const nullability = nulls?.length === columnSchemas.length;
    let v = this.views.get(columnSchemas);
    // The same column schemas (zongji caches them) may come with another null bitmap after an ALTER.
    if (!v || v.nullability !== nullability || (nullability && v.columns.some((c, i) => c.nullable !== nulls?.[i]))) {
      v = {
        columns: columnSchemas.map((c, i) => ({
          name: String(c.COLUMN_NAME),
          sqlType: `${c.COLUMN_TYPE}${c.UNSIGNED ? ' unsigned' : ''}`,
          nullable: nullability ? (nulls?.[i] as boolean) : true,
          charset: c.CHARACTER_SET_NAME ?? null,
          collation: c.COLLATION_NAME ?? null,
        })),
        primaryKey: key,
        nullability,
      };
      this.views.set(columnSchemas, v);
    }
    return v;
  }

  pause(): void {
    this.zongji?.connection?.pause();
  }

  resume(): void {
    this.zongji?.connection?.resume();
  }

  stop(): Promise<void> {
    const z = this.zongji;
    this.zongji = undefined;
    if (!z) return Promise.resolve();
    return new Promise((resolve) => {
      z.once('stopped', () => resolve());
      z.stop();
      setTimeout(resolve, 2000).unref();
    });
  }
}

/** Whether a rows event's columns-present bitmap covers every column (binlog_row_image FULL). */
export function fullImage(bitmap: Buffer | undefined, columns: number): boolean {
  if (!bitmap) return true;
  for (let i = 0; i < columns; i++) if (!((bitmap[i >> 3] ?? 0) & (1 << (i & 7)))) return false;
  return true;
}

/** zongji's own error for event types whose row changes it cannot decode (compressed transactions, partial JSON). */
const unsupportedEvent = (err: unknown): err is Error =>
  err instanceof Error &&
  /PARTIAL_UPDATE_ROWS_EVENT|TRANSACTION_PAYLOAD|binlog_transaction_compression|cannot decode/i.test(err.message);

/** The executed set `set` plus one more transaction `gtid` (MySQL 'uuid:n' or MariaDB 'd-s-n'). */
export function includeGtid(set: string | null, gtid: string | undefined | null): string | null {
  if (set === null || !gtid) return set;
  if (gtid.includes(':')) {
    const s = GtidSet.parse(set);
    s.add(gtid);
    return s.toString();
  }
  const [domainId, serverId, seqNo] = gtid.split('-');
  const p = MariadbGtidPosition.parse(set);
  p.add({ domainId: Number(domainId), serverId: Number(serverId), seqNo: String(seqNo) });
  return p.toString();
}

const describe = (f: StartFrom): string =>
  'gtid' in f ? `gtid ${f.gtid}` : 'position' in f ? f.position.toString() : 'the end of the binlog';

/** Where an event starts: its header (19 bytes, and 4 of checksum) is not counted in its size. */
function eventStart(e: { nextPosition: number; size: number }, zongji: ZongJi): number {
  const start = e.nextPosition - e.size - 19 - (zongji.useChecksum ? 4 : 0);
  // Some servers write no end position inside a transaction: then where it began.
  return start >= 4 ? start : Number(zongji.options.position ?? 4);
}
