import { type Logger, redactSql, SluiceError } from '@sluice/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  clearPending,
  type DdlDecision,
  ddlId,
  decisionFromRow,
  decisionsTableSql,
  markApplied,
  recordFailure,
  recordHold,
  type Statement,
  selectDecision,
} from './ddl-decisions.ts';
import { tableArg } from './ddl-rejection.ts';
import { classifyTargetError } from './target-errors.ts';

interface Name {
  database: string;
  table: string;
}

/**
 * The decision id of a DDL marker's statement (a partition statement) for one target table: the
 * marker's source position and statement, the same on every Kafka partition that carries it and
 * after any replay; another statement, or the same one run again later, is another id.
 */
export const markerDdlId = (target: Name, position: string, statement: string): string =>
  ddlId(target, `marker\n${position}\n${statement}`);

/** The decision id of one rename (a pair of a RENAME statement, its header id), kept under the new name. */
export const renameDdlId = (to: Name, renameId: string): string => ddlId(to, `rename\n${renameId}`);

/**
 * The decision id of the new name's wait for a rename (RENAME_NOT_APPLIED): another id than the
 * rename's own, so that a decision on a refused rename (taken where the old name's marker is
 * applied) never also releases the new name's rows before that marker ran.
 */
export const renameWaitDdlId = (to: Name, renameId: string): string => ddlId(to, `rename-wait\n${renameId}`);

/** The codes of a marker's action the target cannot take: they stop the sink until fixed or decided. */
export const MARKER_REFUSALS = new Set(['PARTITION_DDL_UNSUPPORTED', 'TARGET_RENAME_CONFLICT']);

/** A marker's action the target refused, as the operator must see it. */
export interface MarkerRefusal {
  code: 'PARTITION_DDL_UNSUPPORTED' | 'TARGET_RENAME_CONFLICT';
  /** The table the decision is kept under (for a rename, the new name). */
  target: Name;
  id: string;
  statement: string;
  /** Why: the target's own error, or what the target lacks. */
  why: string;
  /** What the statement was about, for the message (`rename of a.t to a.t2`). */
  what: string;
  source?: Name;
  position?: string;
}

/**
 * The operator's decisions (DM's handle-error) on the actions of DDL markers: a partition
 * statement the target cannot take, a rename whose new name exists, a rename that never comes.
 * Kept in `<checkpointSchema>.ddl_decisions` with the column and CREATE decisions (ddl-decisions.ts).
 */
export class MarkerDecisions {
  private ready: Promise<void> | undefined;
  private readonly opts: { pool: Pool; schema: string; sink: string; log: Logger };

  constructor(opts: MarkerDecisions['opts']) {
    this.opts = opts;
  }

  /**
   * The target refused a marker's action: with the operator's decision, `skip` returns (logged
   * loudly: the statement is not applied) and `replace` runs the operator's statements once and
   * returns; without one, the refusal is recorded as pending and the sink stops with its code.
   */
  async refused(r: MarkerRefusal): Promise<'skip' | 'replace'> {
    const d = await this.find(r.target, r.id);
    if (d?.action === 'skip' || d?.action === 'replace') {
      if (d.action === 'replace') await this.replace(r, d);
      this.opts.log.warn(
        {
          code: r.code,
          table: `${r.target.database}.${r.target.table}`,
          ddlId: r.id,
          action: d.action,
          decidedBy: d.decidedBy,
          statement: redactSql(r.statement),
          ...(d.action === 'replace' ? { replacedBy: d.statements.map(redactSql) } : {}),
        },
        d.action === 'skip'
          ? `the operator skipped this DDL marker: ${r.what} is NOT applied to the target (${r.why})`
          : `the operator's replacement stands in for this DDL marker: ${r.what}`,
      );
      return d.action;
    }
    await this.record(
      recordFailure(this.opts.schema, {
        sink: this.opts.sink,
        target: r.target,
        ddlId: r.id,
        statements: [redactSql(r.statement)],
        // The code leads, so that `sluice status` names it.
        error: `${r.code}: ${r.why}`,
        sourceTable: r.source ? `${r.source.database}.${r.source.table}` : null,
        sourcePosition: r.position ?? null,
      }),
    );
    throw new SluiceError(r.code, refusalMessage(this.opts.sink, r));
  }

  /** A decision recorded for a marker (a rename waited for: skip lets the new name's rows go on). */
  async find(target: Name, id: string): Promise<DdlDecision | undefined> {
    await this.ensure();
    const st = selectDecision(this.opts.schema, this.opts.sink, target, id);
    const [rows] = await this.opts.pool.query<RowDataPacket[]>(st.sql, st.params);
    return rows[0] ? decisionFromRow(rows[0]) : undefined;
  }

  /** Runs a replacement's statements once (`applied_at`); one the target refuses stops the sink again. */
  async replace(r: Omit<MarkerRefusal, 'why'>, d: DdlDecision): Promise<void> {
    if (d.appliedAt) return;
    for (const sql of d.statements) {
      try {
        await this.opts.pool.query(sql);
      } catch (err) {
        const e = classifyTargetError(err);
        if (e.retriable) throw e;
        const msg = (err as { sqlMessage?: string }).sqlMessage ?? e.message;
        await this.record(
          recordFailure(this.opts.schema, {
            sink: this.opts.sink,
            target: r.target,
            ddlId: r.id,
            statements: d.statements,
            error: `DDL_REJECTED: ${msg}`,
            sourceTable: null,
            sourcePosition: r.position ?? null,
          }),
        );
        throw new SluiceError(
          'DDL_REJECTED',
          `sink ${this.opts.sink}: the target refused the replacement recorded for DDL ${r.id} (${r.what}): ${redactSql(sql)} failed: ${msg}. ` +
            `Replace it again: sluice ddl replace --sink ${this.opts.sink} --table '${tableArg(r.target)}' --id ${r.id} --sql '<statement>', or skip it`,
          { cause: err },
        );
      }
    }
    await this.record(markApplied(this.opts.schema, this.opts.sink, r.target, r.id));
  }

  /** A wait that went on too long (a rename never applied): a `held` row for `sluice status` and `ddl list`. */
  async held(target: Name, id: string, message: string, source?: Name, position?: string): Promise<void> {
    await this.record(
      recordHold(this.opts.schema, {
        sink: this.opts.sink,
        target,
        ddlId: id,
        message,
        sourceTable: source ? `${source.database}.${source.table}` : null,
        sourcePosition: position ?? null,
      }),
    );
  }

  /** The wait is over: its held row goes. */
  async released(target: Name, id: string): Promise<void> {
    await this.record(clearPending(this.opts.schema, this.opts.sink, target, id));
  }

  /** Notes the decision as carried out (a skipped rename wait, for the list). */
  async applied(target: Name, id: string): Promise<void> {
    await this.record(markApplied(this.opts.schema, this.opts.sink, target, id));
  }

  private async record(st: Statement): Promise<void> {
    await this.ensure();
    await this.opts.pool.query(st.sql, st.params);
  }

  private ensure(): Promise<void> {
    this.ready ??= (async () => {
      for (const sql of decisionsTableSql(this.opts.schema)) await this.opts.pool.query(sql);
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }
}

/**
 * The stop message of a marker's refused action: the sink, the statement, why, the decision id,
 * and the ways on (fix the target, or skip / replace and restart).
 */
export function refusalMessage(sink: string, r: MarkerRefusal): string {
  const args = `--sink ${sink} --table '${tableArg(r.target)}' --id ${r.id}`;
  return (
    `sink ${sink}: ${r.what} cannot be applied to target table ${r.target.database}.${r.target.table} ` +
    `(change at ${r.position ?? 'unknown position'}, DDL ${r.id}): ${redactSql(r.statement)}: ${r.why}. ` +
    `Fix the target and restart the sink, or decide and restart: sluice ddl skip ${args} (do not apply it), or ` +
    `sluice ddl replace ${args} --sql '<statement>' (run yours instead); sluice ddl list --sink ${sink} shows it`
  );
}
