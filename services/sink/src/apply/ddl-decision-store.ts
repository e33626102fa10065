import { type Logger, redactSql, type SluiceError } from '@sluice/core';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type { TargetTable } from '../decode/target-table.ts';
import {
  clearPending,
  type DdlDecision,
  decisionFromRow,
  decisionsTableSql,
  isMissingTable,
  markApplied,
  recordFailure,
  recordHold,
  type Statement,
  selectDecision,
  selectOpen,
} from './ddl-decisions.ts';
import { type Rejection, rejectionError } from './ddl-rejection.ts';

/**
 * The sink's side of `_sluice.ddl_decisions`: reads the decision for a change, records the change
 * it stops at, marks a replacement as run. Asked only when a table needs DDL (rare), so every
 * lookup reads the target: a decision recorded while the sink was stopped is seen on restart.
 */
export class DdlDecisionStore {
  private readonly pool: mysql.Pool;
  private readonly schema: string;
  private readonly sink: string;
  private readonly log: Logger;
  private ready: Promise<void> | undefined;
  /** Ids of this sink's pending and held changes, read once (then kept up to date here). */
  private open: Promise<Set<string>> | undefined;

  constructor(pool: mysql.Pool, schema: string, sink: string, log: Logger) {
    this.pool = pool;
    this.schema = schema;
    this.sink = sink;
    this.log = log;
  }

  async find(t: TargetTable, id: string): Promise<DdlDecision | undefined> {
    await this.ensure();
    const st = selectDecision(this.schema, this.sink, t, id);
    const [rows] = await this.pool.query<RowDataPacket[]>(st.sql, st.params);
    return rows[0] ? decisionFromRow(rows[0]) : undefined;
  }

  /** Records the change the sink stops at (best effort: the stop itself must not wait on it) and returns the error to stop with. */
  async rejected(r: Omit<Rejection, 'sink'>): Promise<SluiceError> {
    const full: Rejection = { ...r, sink: this.sink };
    const st = recordFailure(this.schema, {
      sink: this.sink,
      target: r.target,
      ddlId: r.ddlId,
      // Kept for the operator to read: as any statement shown, without secrets.
      statements: r.statements.map(redactSql),
      error: r.failed.message,
      sourceTable: r.source ? `${r.source.database}.${r.source.table}` : null,
      sourcePosition: r.position ?? null,
    });
    await this.ensure()
      .then(() => this.run(st))
      .then(async () => (await this.openIds()).add(r.ddlId))
      .catch((err: unknown) => this.log.warn({ err: String(err) }, 'the refused DDL could not be recorded in the target'));
    return rejectionError(full);
  }

  /** A shard held (best effort, like rejected()): `sluice status` and `ddl list` show it. */
  async held(t: TargetTable, id: string, message: string, position: string | undefined): Promise<void> {
    const source = t.origin ? `${t.origin.database}.${t.origin.table}` : null;
    const st = recordHold(this.schema, {
      sink: this.sink,
      target: t,
      ddlId: id,
      message,
      sourceTable: source,
      sourcePosition: position ?? null,
    });
    await this.ensure()
      .then(() => this.run(st))
      .then(async () => (await this.openIds()).add(id))
      .catch((err: unknown) => this.log.warn({ err: String(err) }, 'the shard hold could not be recorded in the target'));
  }

  applied(t: TargetTable, id: string): Promise<void> {
    return this.run(markApplied(this.schema, this.sink, t, id));
  }

  /** The layout is ready: a pending or held row of it goes (one read per process, then only when there is one). */
  async resolved(t: TargetTable, id: string): Promise<void> {
    const open = await this.openIds();
    if (!open.has(id)) return;
    await this.run(clearPending(this.schema, this.sink, t, id));
    open.delete(id);
  }

  private openIds(): Promise<Set<string>> {
    this.open ??= (async () => {
      const st = selectOpen(this.schema, this.sink);
      try {
        const [rows] = await this.pool.query<RowDataPacket[]>(st.sql, st.params);
        return new Set(rows.map((r) => String(r.ddl_id)));
      } catch (err) {
        if (isMissingTable(err)) return new Set<string>();
        throw err;
      }
    })().catch((err: unknown) => {
      this.open = undefined;
      throw err;
    });
    return this.open;
  }

  private async run(st: Statement): Promise<void> {
    await this.pool.query(st.sql, st.params);
  }

  private ensure(): Promise<void> {
    this.ready ??= (async () => {
      for (const sql of decisionsTableSql(this.schema)) await this.pool.query(sql);
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }
}
