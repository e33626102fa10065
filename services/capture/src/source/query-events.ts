import { type BinlogPosition, redactSql } from '@sluice/core';
import { parseDdl } from '../event/ddl-statement.ts';
import { classifyQuery, type DmlVerb, type TableName } from '../event/query-statement.ts';
import type { SourceEvent } from './binlog-reader.ts';
import { TemporaryTables } from './temporary-tables.ts';
import { parseXa } from './xa-statement.ts';

/** A binlog query event, as far as the capture reads it. */
export interface QueryEvent {
  query: string;
  /** The session's current database (unqualified names belong to it). */
  database: string;
  /** The writing session's thread id (temporary tables belong to it). */
  thread: number;
  gtid: string | null;
  ts_ms: number;
  /** Where the event starts, and where the next one starts. */
  at: BinlogPosition;
  next: BinlogPosition;
  /** Where a DDL's checkpoint goes: `next` with the DDL's own GTID included. */
  ddlPosition: () => BinlogPosition;
}

/**
 * What a query event stands for: transaction control, DDL, or (binlog_format STATEMENT/MIXED
 * sessions) DML and temporary-table statements. Only DDL and DML on captured tables go on;
 * SAVEPOINTs and temporary tables stay inside their transaction, which they must not end. DDL
 * text leaves redacted (no password of CREATE USER & co. goes further than this).
 */
export class QueryEvents {
  private readonly temporary = new TemporaryTables();
  private readonly accept: (database: string, table: string) => boolean;

  constructor(accept: (database: string, table: string) => boolean) {
    this.accept = accept;
  }

  read(e: QueryEvent): SourceEvent[] {
    const { gtid, ts_ms, thread, database } = e;
    const q = e.query.trim();
    const xa = parseXa(q);
    if (xa) {
      // START and END are bookkeeping inside the prepare group: the rows between them belong to it.
      if (xa.verb === 'commit' || xa.verb === 'rollback') {
        return [{ kind: 'xa_outcome', xid: xa.xid, commit: xa.verb === 'commit', position: e.ddlPosition(), gtid, ts_ms }];
      }
      return xa.verb === 'prepare' ? [{ kind: 'xa_prepare', xid: xa.xid, position: e.next, gtid, ts_ms }] : [];
    }
    const c = classifyQuery(q, database);
    switch (c.kind) {
      case 'begin':
        return [{ kind: 'begin', gtid, ts_ms }];
      case 'commit':
        return [{ kind: 'commit', position: e.next, gtid, ts_ms }];
      case 'savepoint':
        return [];
      case 'temporary':
        if (c.action === 'create') this.temporary.created(thread, c.tables);
        else this.temporary.dropped(thread, c.tables);
        return [];
      case 'dml':
        return this.statement(e, c.verb, c.tables, c.unnamed);
      case 'ddl': {
        // A TRUNCATE, ALTER or DROP of the session's temporary table is not about the real one.
        if (this.temporary.all(thread, parseDdl(q, database).tables)) return [];
        return [
          ...(c.writes ? this.statement(e, 'create', c.writes, false) : []),
          { kind: 'ddl', database, query: redactSql(q), position: e.ddlPosition(), gtid, ts_ms },
        ];
      }
    }
  }

  private statement(e: QueryEvent, verb: DmlVerb, written: TableName[], unnamed: boolean): SourceEvent[] {
    const tables = written.filter((t) => this.accept(t.database, t.table) && !this.temporary.has(e.thread, t));
    if (tables.length === 0 && !unnamed) return [];
    return [{ kind: 'statement', verb, tables, unnamed, at: e.at, gtid: e.gtid, ts_ms: e.ts_ms }];
  }
}
