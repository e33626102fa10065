import {
  ALLOW_ZERO_DATES_SQL,
  columnExtras,
  type Logger,
  type MysqlEndpoint,
  mysqlOptionsFromUrl,
  parseColumnDefault,
  qualified,
  SluiceError,
  type SqlFlavor,
  type SqlParam,
} from '@sluice/core';
import mysql, { type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import type { RenameHistory, TargetColumn, TargetTable } from '../decode/target-table.ts';
import type { TablePlan } from '../plan/batch-plan.ts';
import { LENIENT_SQL_MODE, RESTORE_SQL_MODE } from '../plan/enum-error-value.ts';
import { planStatements } from '../plan/statements.ts';
import type { ShardLayouts } from '../route/shard-catalog.ts';
import { shardHoldMessage, shardStep } from '../route/shard-ddl.ts';
import { ApplyTransactionMode } from './apply-transaction.ts';
import { CaseClash } from './case-clash.ts';
import {
  checkpointTableSql,
  checkpointUpsert,
  originMarkerTableSql,
  originMarkerUpsert,
  type PartitionCheckpoint,
} from './checkpoint-table.ts';
import { DdlDecisionStore } from './ddl-decision-store.ts';
import { type DdlDecision, ddlId } from './ddl-decisions.ts';
import { RejectedStatement } from './ddl-rejection.ts';
import { keepLatestColumns, type NewestColumns } from './latest-columns.ts';
import { MarkerDecisions } from './marker-decisions.ts';
import { RenameWaits } from './rename-waits.ts';
import { describeDiff, diffSchema, evolveStatements, isEmpty, type SchemaDiff, type TargetColumnInfo } from './schema-diff.ts';
import { guardPlan, guardTablesSql, recordVersions, truncatedAt } from './stale-write-guard.ts';
import { type StopRecord, stopClear, stopTableSql, stopUpsert } from './stop-record.ts';
import { StructureSync } from './structure-sync.ts';
import { TableActions } from './table-actions.ts';
import { createDatabaseSql, createTableSql, type TargetTraits } from './table-ddl.ts';
import { classifyTargetError, errnoOf } from './target-errors.ts';

/** The newest rename history the source has for a table (the registry's latest version), if any. */
export type NewestRenames = (origin: { database: string; table: string }) => Promise<RenameHistory | undefined>;

/**
 * The target seam. apply() writes a batch in target transactions and resolves only after the
 * last COMMIT, which carries the checkpoints, so the caller may then commit Kafka offsets.
 * Errors are SluiceErrors classified by code (retriable or not). A table's DDL (create, evolve,
 * drop) runs where its records are in the batch: what came before it is committed first (DDL
 * commits implicitly), so that, say, an UPDATE that fills NULLs is in before MODIFY ... NOT NULL.
 * A failure after such a commit leaves part of the batch applied and no offsets committed: the
 * batch is applied again, which idempotent apply allows.
 */
export class TargetWriter {
  private readonly pool: mysql.Pool;
  private readonly log: Logger;
  private readonly ensured = new Map<string, Writable>();
  private readonly caseClash = new CaseClash();
  /** One DDL at a time per target table (partitions are applied in parallel). */
  private readonly ddlQueue = new Map<string, Promise<unknown>>();
  private facts: Promise<TargetFacts> | undefined;
  private readonly newest: NewestRenames | undefined;
  private readonly newestColumns: NewestColumns | undefined;

  private readonly checkpointSchema: string;
  private checkpointReady: Promise<void> | undefined;
  private readonly originMarker: boolean;
  private markerReady: Promise<void> | undefined;

  private readonly guard: boolean;
  /** Optimistic or pessimistic apply transactions (TiDB), after write conflicts too. */
  private readonly txnMode: ApplyTransactionMode;
  private guardReady: Promise<void> | undefined;
  private stopsReady: Promise<void> | undefined;

  private readonly ddl: 'apply' | 'ignore' | 'stop';
  private readonly structure: StructureSync;
  /** Renames and partition statements of DDL markers (table-actions.ts). */
  private readonly actions: TableActions;
  /** The operator's skip/replace decisions on DDL this target refused (ddl-decisions.ts). */
  private readonly decisions: DdlDecisionStore;
  /** The same for the actions of DDL markers (marker-decisions.ts). */
  private readonly markerDecisions: MarkerDecisions;
  private readonly sinkName: string;
  private readonly shardLayouts: ShardLayouts | undefined;

  constructor(opts: {
    /** The target's URL, or its config section (URL, TLS, password). */
    url: string | MysqlEndpoint;
    poolSize: number;
    log: Logger;
    checkpointSchema?: string;
    staleWriteGuard?: boolean;
    /** Write the origin marker first in each target transaction (bidirectional replication). */
    originMarker?: boolean;
    ddl?: 'apply' | 'ignore' | 'stop';
    /** To rename back rather than drop when a record is older than the target (ddl apply). */
    newestRenames?: NewestRenames;
    /** Never to drop a column the source still has for a record older than the target (latest-columns.ts). */
    newestColumns?: NewestColumns;
    /** The sink's name: its DDL decisions are kept under it. */
    sinkName?: string;
    /** The shards of a merged table with their latest layouts (route/shard-catalog.ts). */
    shardLayouts?: ShardLayouts;
  }) {
    this.log = opts.log;
    this.newest = opts.newestRenames;
    this.newestColumns = opts.newestColumns;
    this.ddl = opts.ddl ?? 'apply';
    this.guard = opts.staleWriteGuard ?? false;
    this.txnMode = new ApplyTransactionMode(this.guard);
    this.originMarker = opts.originMarker ?? false;
    this.checkpointSchema = opts.checkpointSchema ?? '_sluice';
    this.pool = mysql.createPool({ ...mysqlOptionsFromUrl(opts.url), database: undefined, connectionLimit: opts.poolSize });
    this.structure = new StructureSync(this.pool, this.log, this.ddl);
    // Values travel as UTC text (TIMESTAMP) and exact strings; the session zone must not shift them.
    this.pool.on('connection', (c) => {
      c.query("SET time_zone = '+00:00'");
      c.query(ALLOW_ZERO_DATES_SQL);
    });
    this.sinkName = opts.sinkName ?? 'sink';
    this.shardLayouts = opts.shardLayouts;
    this.decisions = new DdlDecisionStore(this.pool, this.checkpointSchema, this.sinkName, this.log);
    this.markerDecisions = new MarkerDecisions({
      pool: this.pool,
      schema: this.checkpointSchema,
      sink: this.sinkName,
      log: this.log,
    });
    this.actions = new TableActions({
      pool: this.pool,
      log: this.log,
      schema: this.checkpointSchema,
      ddl: this.ddl,
      guard: async () => this.guard,
      forget: (t) => this.forget(t),
      decisions: this.markerDecisions,
    });
  }

  /** The offset of the last rename or barrier marker noted on a topic partition (table-actions.ts). */
  markerFloor(topic: string, partition: number): Promise<bigint | undefined> {
    return this.actions.markerFloor(topic, partition);
  }

  /** Whether a rename is done in the target for its new name, or the operator skipped it (rename markers wait for it). */
  renameDone(id: string, to?: { database: string; table: string }): Promise<boolean> {
    return this.renameWaits.done(id, to);
  }

  /** A rename waited for too long, or no more (rename-waits.ts): visible in `sluice status` and `sluice ddl list`. */
  get renameWaits(): RenameWaits {
    this.waits ??= new RenameWaits({
      actions: this.actions,
      decisions: this.markerDecisions,
      sink: this.sinkName,
      log: this.log,
    });
    return this.waits;
  }
  private waits: RenameWaits | undefined;

  /**
   * Applies the plans and the partition checkpoints: in one target transaction, unless a table
   * needs DDL on the way (see the class comment). The checkpoint rows say, in the target itself,
   * how far this sink has applied and how fresh the data is.
   */
  async apply(plans: TablePlan[], checkpoints: PartitionCheckpoint[] = []): Promise<{ staleSkipped: number }> {
    // Counted for the caller only once committed: a retried transaction must not count twice.
    let staleSkipped = 0;
    let conn: PoolConnection | undefined;
    // Barriers this call runs: released once committed or failed, so that another worker's marker
    // of the same barrier waits for it instead of running the statement again (table-actions.ts).
    const running: string[] = [];
    const open = async (): Promise<PoolConnection> => {
      if (!conn) {
        const c = await this.pool.getConnection();
        conn = c;
        await c.query(this.txnMode.begin());
        // First in the transaction: the target's capture knows it from its first row event (docs/bidirectional.md).
        if (this.originMarker) {
          const m = originMarkerUpsert(this.checkpointSchema, this.sinkName);
          await c.execute(m.sql, m.params);
        }
      }
      return conn;
    };
    // DDL commits implicitly: what is in the open transaction goes first.
    const commitOpen = async () => {
      const c = conn;
      conn = undefined;
      if (!c) return;
      try {
        await c.commit();
      } finally {
        c.release();
      }
    };
    try {
      if (this.guard && plans.some((p) => !p.drop)) await this.ensureGuardTables();
      const maxBytes = (await this.targetFacts()).statementBytes;
      if (checkpoints.length) await this.ensureCheckpointTable();
      if (this.originMarker) await this.ensureOriginMarkerTable();
      // Whether the session runs without strict mode for an ENUM error value (enum-error-value.ts).
      let lenient = false;
      try {
        for (const original of plans) {
          if (original.action) {
            // DDL (a rename, a partition statement): what came before it is committed first.
            await commitOpen();
            await this.actions.run(original.action, original.table);
            continue;
          }
          // A TRUNCATE or DROP on a topic of several partitions: run once, by the last partition to reach it.
          if (original.barrier) {
            await commitOpen();
            if (!(await this.actions.barrierArrived(original.barrier, original.table))) continue;
            running.push(original.barrier.id);
          }
          if (original.drop) {
            await commitOpen();
            const done = await this.dropTable(original);
            if (original.barrier) await this.actions.barrierDone(original.barrier.id, original.table);
            if (done === 'stale') staleSkipped++;
            // The table is gone; the guard remembers the drop like a truncate, so replayed older rows stay out.
            if (done === 'dropped' && this.guard) await recordVersions(await open(), this.checkpointSchema, original);
            continue;
          }
          let writable = this.ensured.get(original.table.id);
          if (!writable) {
            await commitOpen();
            // A layout barrier is the source's table at its DDL, once every partition reached it: followed exactly.
            writable = await this.ensureTable(original.table, original.position, !!original.barrier && !original.truncate);
          }
          const c = await open();
          let plan = project(original, writable);
          if (this.guard) {
            const guarded = await guardPlan(c, this.checkpointSchema, plan);
            plan = guarded.plan;
            staleSkipped += guarded.dropped;
          }
          for (const st of planStatements(plan, 1024, maxBytes)) {
            const wants = !!st.lenient || !!writable.lenient;
            if (wants !== lenient) {
              await c.query(wants ? LENIENT_SQL_MODE : RESTORE_SQL_MODE);
              lenient = wants;
            }
            await c.execute(st.sql, st.params);
          }
          // Strict again before anything else runs on the session (DDL, the guard, checkpoints).
          if (lenient) {
            await c.query(RESTORE_SQL_MODE);
            lenient = false;
          }
          if (this.guard) await recordVersions(c, this.checkpointSchema, plan);
          if (original.barrier)
            await this.actions.barrierDone(original.barrier.id, original.table, (sql, p) => c.execute(sql, p));
        }
        const c = await open();
        for (const cp of checkpoints) {
          const st = checkpointUpsert(this.checkpointSchema, cp);
          await c.execute(st.sql, st.params);
        }
        await commitOpen();
        this.txnMode.committed();
        return { staleSkipped };
      } catch (err) {
        this.txnMode.failed(err);
        const c = conn;
        conn = undefined;
        if (c) {
          await c.rollback().catch(() => undefined);
          // A pooled session must never stay non-strict: one that failed while lenient is closed.
          if (lenient) c.destroy();
          else c.release();
        }
        throw err;
      }
    } catch (err) {
      throw classifyTargetError(err);
    } finally {
      for (const id of running) this.actions.release(id);
    }
  }

  /**
   * The source dropped the table: by the ddl policy, drop the target table (apply), leave it
   * (ignore), or refuse (stop). Under the stale-write guard a drop older than the table's last
   * truncate or drop is a replay and is skipped.
   */
  private async dropTable(plan: TablePlan): Promise<'dropped' | 'kept' | 'stale'> {
    const t = plan.table;
    const name = `${t.database}.${t.table}`;
    if (this.ddl === 'stop') {
      throw new SluiceError('SCHEMA_MISMATCH', `the source dropped table ${name}; the target keeps it (ddl: stop)`);
    }
    if (this.ddl === 'ignore') {
      this.log.warn({ table: name }, 'the source dropped the table; ddl: ignore keeps it in the target');
      return 'kept';
    }
    if (this.guard) {
      await this.ensureGuardTables();
      const last = await truncatedAt(this.pool, this.checkpointSchema, t, false);
      if (last !== undefined && last >= BigInt(plan.truncateVersion ?? '0')) return 'stale';
    }
    await this.pool.query(`DROP TABLE IF EXISTS ${qualified(t.database, t.table)}`);
    this.forget(t);
    this.log.info({ table: name }, 'target table dropped, as on the source');
    return 'dropped';
  }

  private ensureGuardTables(): Promise<void> {
    this.guardReady ??= this.runOnce(guardTablesSql(this.checkpointSchema), () => {
      this.guardReady = undefined;
    });
    return this.guardReady;
  }

  private ensureCheckpointTable(): Promise<void> {
    this.checkpointReady ??= this.runOnce(checkpointTableSql(this.checkpointSchema), () => {
      this.checkpointReady = undefined;
    });
    return this.checkpointReady;
  }

  private ensureOriginMarkerTable(): Promise<void> {
    this.markerReady ??= this.runOnce(originMarkerTableSql(this.checkpointSchema), () => {
      this.markerReady = undefined;
    });
    return this.markerReady;
  }

  private ensureStopTable(): Promise<void> {
    this.stopsReady ??= this.runOnce(stopTableSql(this.checkpointSchema), () => {
      this.stopsReady = undefined;
    });
    return this.stopsReady;
  }

  /** Runs DDL statements once; on failure `reset` lets the next call try again. */
  private async runOnce(statements: string[], reset: () => void): Promise<void> {
    try {
      for (const sql of statements) await this.pool.query(sql);
    } catch (err) {
      reset();
      throw err;
    }
  }

  /** Layouts of a table known to match the target no longer do (it was evolved or dropped). */
  private forget(t: { database: string; table: string }, keep?: string): void {
    for (const [id, w] of this.ensured) {
      if (id !== keep && w.table.database === t.database && w.table.table === t.table) this.ensured.delete(id);
    }
  }

  /** Runs `fn` after any DDL in flight on the same target table. */
  private serialized<T>(t: TargetTable, fn: () => Promise<T>): Promise<T> {
    const name = `${t.database}.${t.table}`;
    const run = (this.ddlQueue.get(name) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.ddlQueue.set(name, run);
    return run.finally(() => {
      if (this.ddlQueue.get(name) === run) this.ddlQueue.delete(name);
    });
  }

  /**
   * Makes the target table ready for a schema version, by the ddl policy: `apply` creates it or
   * makes it follow the source (schema-diff.ts: renames, then columns added with their NOT NULL
   * and DEFAULT, redefined, dropped); `ignore` leaves an existing table as it is and writes only
   * the columns it has; `stop` refuses any difference. Returns the table as it is written
   * (projected under `ignore`).
   */
  private ensureTable(t: TargetTable, position?: string, exact = false): Promise<Writable> {
    return this.serialized(t, async () => {
      const hit = this.ensured.get(t.id);
      if (hit) return hit;
      const traits = await this.targetFacts();
      if (traits.foldsCase) this.caseClash.check(t);
      let cols = await this.targetColumns(t, traits.flavor);
      // Only a missing table is created: TiDB checks other tables' foreign keys even on a
      // CREATE TABLE IF NOT EXISTS of a table that exists.
      if (!cols.length) {
        await this.pool.query(createDatabaseSql(t.database));
        await this.createTable(t, traits, position);
        cols = await this.targetColumns(t, traits.flavor);
      }
      let diff = diffSchema(t, cols, traits);
      // Columns to drop may be renamed columns of a newer version: ask for the newest history.
      if (this.ddl === 'apply' && diff.drop.length && diff.add.length && this.newest && t.origin) {
        diff = diffSchema(t, cols, traits, await this.newest(t.origin));
      }
      if (this.ddl === 'apply' && diff.drop.length && !t.shared && !exact && this.newestColumns && t.origin) {
        diff = keepLatestColumns(diff, await this.newestColumns(t.origin));
      }
      const name = `${t.database}.${t.table}`;
      let writable: Writable = { table: t, indexes: undefined };
      if (t.shared && this.ddl === 'apply' && this.shardLayouts) {
        const merged = await this.merged(t, cols, diff, traits, position);
        if (!merged.keep) return merged.writable;
        writable = merged.writable;
      } else if (!isEmpty(diff)) {
        if (this.ddl === 'stop') {
          throw new SluiceError(
            'SCHEMA_MISMATCH',
            `target table ${name} differs from the source schema: ${describeDiff(diff)} (ddl: stop)`,
          );
        }
        if (this.ddl === 'apply') {
          const decided = await this.decided(t, cols, diff, traits, position);
          if (decided) writable = decided;
          // Not kept when a column could not follow yet: the next batch of this version tries again.
          else if (!(await this.evolveOrStop(t, diff, traits, position))) return writable;
        } else {
          writable = this.projected(t, cols, diff);
        }
      }
      // Indexes, options and partitioning follow once the columns do (structure-sync.ts).
      await this.structure.reconcile(t, traits);
      // A change the sink stopped or held at went through (fixed by hand, the shards caught up).
      await this.decisions.resolved(t, ddlId(t, t.id));
      if (fillsImplicitly(t, cols, diff)) writable = { ...writable, lenient: true };
      this.ensured.set(t.id, writable);
      this.log.info({ table: name }, 'target table ready');
      return writable;
    });
  }

  /**
   * Runs the DDL of a diff. A column the target's rows do not fit yet (NOT NULL over NULLs, a
   * narrower type) is a target ahead of this record: a replay of older records, or a partition
   * behind another; its later records bring the rows back in line. Then the other changes are
   * made, that column keeps its definition, and false says to try again with the next batch. A
   * charset change the target cannot make (TiDB changes none but utf8 -> utf8mb4) keeps the
   * target's charset, which holds the same characters when it is the wider one.
   */
  private async evolve(t: TargetTable, diff: SchemaDiff, traits: TargetFacts): Promise<boolean> {
    const name = `${t.database}.${t.table}`;
    const kept: string[] = [];
    const charsetKept: string[] = [];
    try {
      for (const sql of evolveStatements(t, diff, traits)) await this.ddlStatement(name, sql);
    } catch (err) {
      if (!diff.modify.length || !(isDataError(err) || isUnsupported(err))) throw err;
      // One ALTER is all or nothing: what the target has now, then each column on its own.
      const cols = await this.targetColumns(t, traits.flavor);
      const have = new Map(cols.map((c) => [c.name.toLowerCase(), c]));
      const rest = diffSchema(t, cols, traits);
      for (const sql of evolveStatements(t, { ...rest, modify: [] }, traits)) await this.ddlStatement(name, sql);
      const modify = (c: TargetColumn) =>
        this.ddlStatement(name, evolveStatements(t, { rename: [], add: [], drop: [], modify: [c] }, traits)[0] as string);
      for (const c of rest.modify) {
        let failure = await modify(c).then(
          () => undefined,
          (e: unknown) => e,
        );
        const h = have.get(c.name.toLowerCase());
        if (failure && isUnsupported(failure) && h) {
          failure = await modify({ ...c, charset: h.charset ?? null, collation: h.collation ?? null }).then(
            () => undefined,
            (e: unknown) => e,
          );
          if (!failure) charsetKept.push(`${c.name} (${h.charset} kept, source ${c.charset})`);
        }
        if (failure && !isDataError(failure)) throw failure;
        if (failure) kept.push(c.name);
      }
    }
    // Records of other layouts of this table were planned for the table as it was.
    this.forget(t, t.id);
    this.log.info({ table: name, change: describeDiff(diff) }, 'target table evolved');
    if (charsetKept.length) this.log.warn({ table: name, columns: charsetKept }, 'the target cannot change these charsets');
    if (kept.length) {
      this.log.warn(
        { table: name, columns: kept },
        "target rows do not fit these columns' new definitions yet (the target is ahead of this record); they keep theirs until a later batch",
      );
    }
    return kept.length === 0;
  }

  /**
   * evolve(), and a statement the target refuses stops the sink (DDL_REJECTED) with the change
   * recorded as pending in the decisions table (ensureTable clears it once the layout is ready).
   */
  private async evolveOrStop(t: TargetTable, diff: SchemaDiff, traits: TargetFacts, position?: string): Promise<boolean> {
    let done: boolean;
    try {
      done = await this.evolve(t, diff, traits);
    } catch (err) {
      if (!(err instanceof RejectedStatement)) throw err;
      const statements = evolveStatements(t, diff, traits);
      throw await this.decisions.rejected({ ...this.change(t, position), statements, failed: err });
    }
    return done;
  }

  /**
   * A shard's layout on a merged table (route/shard-ddl.ts): additive changes at once, the rest
   * once every shard has reached it; until then the shard is held (SHARD_DDL_PENDING, which the
   * sink turns into a pause of its partition) unless the operator decided for this change.
   */
  private async merged(
    t: TargetTable,
    cols: TargetColumnInfo[],
    diff: SchemaDiff,
    traits: TargetFacts,
    position?: string,
  ): Promise<{ writable: Writable; keep: boolean }> {
    const plain = { table: t, indexes: undefined };
    const wanted = new Set(t.columns.map((c) => c.name.toLowerCase()));
    if (isEmpty(diff) && cols.every((c) => wanted.has(c.name.toLowerCase()))) return { writable: plain, keep: true };
    const shards = await (this.shardLayouts as ShardLayouts)(t);
    const step = shardStep(t, cols, diff, shards, t.origin ?? t);
    const name = `${t.database}.${t.table}`;
    if (step.kind === 'hold' || !isEmpty(step.diff)) {
      const decided = await this.decided(t, cols, diff, traits, position);
      if (decided) return { writable: decided, keep: true };
    }
    const id = ddlId(t, t.id);
    if (step.kind === 'hold') {
      const message = shardHoldMessage(this.sinkName, t, step, id);
      await this.decisions.held(t, id, message, position);
      throw new SluiceError('SHARD_DDL_PENDING', message);
    }
    if (step.kept.length) {
      const kept = step.kept.map((k) => `${k.column} (still in ${k.shards.join(', ')})`);
      this.log.info({ table: name, shard: t.origin, kept }, 'merged table keeps columns other shards still have');
    }
    if (!isEmpty(step.diff) && !(await this.evolveOrStop(t, step.diff, traits, position)))
      return { writable: plain, keep: false };
    const now = isEmpty(step.diff) ? cols : await this.targetColumns(t, traits.flavor);
    const rest = diffSchema(t, now, traits);
    return { writable: isEmpty(rest) ? plain : this.projected(t, now, rest), keep: true };
  }

  /**
   * The operator's decision on this change, if any: `skip` leaves the table and writes the columns
   * it has (the ddl: ignore projection); `replace` runs the operator's statements once (marked
   * applied), re-reads the table and writes the columns it has. Undefined: no decision, evolve.
   */
  private async decided(
    t: TargetTable,
    cols: TargetColumnInfo[],
    diff: SchemaDiff,
    traits: TargetFacts,
    position?: string,
  ): Promise<Writable | undefined> {
    const id = ddlId(t, t.id);
    const d = await this.decisions.find(t, id);
    if (!d || d.action === 'pending' || d.action === 'held') return undefined;
    const name = `${t.database}.${t.table}`;
    let now = cols;
    if (d.action === 'replace') {
      await this.replaced(t, d, position);
      now = await this.targetColumns(t, traits.flavor);
    }
    this.log.warn(
      { table: name, ddlId: id, action: d.action, decidedBy: d.decidedBy, change: describeDiff(diff) },
      `the operator's decision (${d.action}) stands in for this DDL; the table is written with the columns it has`,
    );
    const rest = diffSchema(t, now, traits);
    return isEmpty(rest) ? { table: t, indexes: undefined } : this.projected(t, now, rest);
  }

  /** Runs the operator's replacement once (marked applied in the decisions table); a refusal stops the sink again. */
  private async replaced(t: TargetTable, d: DdlDecision, position?: string): Promise<void> {
    if (d.appliedAt) return;
    for (const sql of d.statements) {
      try {
        await this.pool.query(sql);
      } catch (err) {
        const e = classifyTargetError(err);
        if (e.retriable) throw e;
        const failed = new RejectedStatement(sql, err, e.message);
        const replacement = true;
        throw await this.decisions.rejected({ ...this.change(t, position), statements: d.statements, failed, replacement });
      }
    }
    await this.decisions.applied(t, d.ddlId);
    this.forget(t, t.id);
  }

  /** A missing target table, created; a CREATE the target refuses stops the sink unless the operator replaced it. */
  private async createTable(t: TargetTable, traits: TargetFacts, position?: string): Promise<void> {
    const sql = createTableSql(t, traits);
    try {
      // A copy of the source's definition (structure-sync.ts: what the target refuses is left out).
      await this.structure.create(t, traits).catch((err: unknown) => {
        const e = SluiceError.from(err, 'TARGET_REJECTED');
        if (e.retriable) throw e;
        throw new RejectedStatement(sql, e.cause ?? err, e.message);
      });
    } catch (err) {
      if (!(err instanceof RejectedStatement)) throw err;
      const d = await this.decisions.find(t, ddlId(t, t.id));
      if (d?.action === 'replace') return this.replaced(t, d, position);
      throw await this.decisions.rejected({ ...this.change(t, position), statements: [sql], failed: err });
    }
  }

  /** What names a change in the decisions table and the stop message. */
  private change(t: TargetTable, position?: string) {
    return { target: t, source: t.origin, position, ddlId: ddlId(t, t.id) };
  }

  private async ddlStatement(_table: string, sql: string): Promise<void> {
    try {
      await this.pool.query(sql);
    } catch (err) {
      const e = classifyTargetError(err);
      if (e.retriable) throw e;
      throw new RejectedStatement(sql, err, e.message);
    }
  }

  /** ddl ignore: write the columns the target has, leave the rest. */
  private projected(t: TargetTable, cols: TargetColumnInfo[], diff: SchemaDiff): Writable {
    const name = `${t.database}.${t.table}`;
    const have = new Set(cols.map((c) => c.name.toLowerCase()));
    const missingKey = t.key.filter((k) => !have.has(k.name.toLowerCase()));
    if (missingKey.length) {
      throw new SluiceError(
        'SCHEMA_MISMATCH',
        `target table ${name} lacks key columns ${missingKey.map((k) => k.name).join(', ')}`,
      );
    }
    const indexes = t.columns.flatMap((c, i) => (have.has(c.name.toLowerCase()) ? [i] : []));
    const columns = indexes.map((i) => t.columns[i] as TargetColumn);
    const keyIndexes = t.key.map((k) => columns.indexOf(k));
    this.log.warn({ table: name, change: describeDiff(diff) }, 'target table differs; ddl: ignore writes the columns it has');
    return { table: { ...t, columns, keyIndexes, id: `${t.id}|ignore` }, indexes };
  }

  /** The target table's columns as DDL sees them: type, nullability, default, charset and collation. */
  private async targetColumns(t: TargetTable, flavor: SqlFlavor): Promise<TargetColumnInfo[]> {
    const [cols] = await this.pool.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_COMMENT
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [t.database, t.table],
    );
    return cols.map((c) => {
      const nullable = c.IS_NULLABLE === 'YES';
      const type = String(c.COLUMN_TYPE);
      const raw = c.COLUMN_DEFAULT === null ? null : String(c.COLUMN_DEFAULT);
      return {
        name: String(c.COLUMN_NAME),
        type,
        nullable,
        default: parseColumnDefault({ flavor, raw, extra: String(c.EXTRA ?? ''), sqlType: type, nullable }),
        charset: c.CHARACTER_SET_NAME === null ? null : String(c.CHARACTER_SET_NAME),
        collation: c.COLLATION_NAME === null ? null : String(c.COLLATION_NAME),
        extras: columnExtras({ extra: String(c.EXTRA ?? ''), comment: String(c.COLUMN_COMMENT ?? '') }),
      };
    });
  }

  /** Read once; a failed read (target down) is not kept, so the next apply asks again. */
  private targetFacts(): Promise<TargetFacts> {
    this.facts ??= this.readFacts().catch((err) => {
      this.facts = undefined;
      throw err;
    });
    return this.facts;
  }

  private async readFacts(): Promise<TargetFacts> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS',
    );
    const [[server]] = await this.pool.query<RowDataPacket[]>(
      'SELECT VERSION() AS v, @@max_allowed_packet AS p, @@lower_case_table_names AS l',
    );
    const version = String(server?.v);
    return {
      charsets: new Set(rows.map((r) => String(r.CHARACTER_SET_NAME).toLowerCase())),
      collations: new Set(rows.map((r) => String(r.COLLATION_NAME).toLowerCase())),
      spatial: !/tidb/i.test(version),
      tidb: /tidb/i.test(version),
      // MariaDB quotes string defaults in information_schema; MySQL and TiDB do not.
      flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql',
      statementBytes: Math.floor(Number(server?.p) * 0.9) - 64 * 1024,
      foldsCase: Number(server?.l) !== 0,
    };
  }

  /** Notes in the target why the sink stops (best effort: the target may be what failed). */
  async recordStop(r: Omit<StopRecord, 'sink'>): Promise<void> {
    await this.ensureStopTable();
    const u = stopUpsert(this.checkpointSchema, { ...r, sink: this.sinkName });
    await this.pool.execute(u.sql, u.params);
  }

  /** The sink runs: its earlier stop row goes. */
  async clearStop(): Promise<void> {
    await this.ensureStopTable();
    const d = stopClear(this.checkpointSchema, this.sinkName);
    await this.pool.execute(d.sql, d.params);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Errors of an ALTER that the table's rows do not fit: truncated, too long, out of range, NULL. */
const DATA_ERRORS = new Set([1048, 1138, 1263, 1264, 1265, 1292, 1366, 1406]);
const isDataError = (err: unknown): boolean => DATA_ERRORS.has(errnoOf(err));
/** TiDB's "unsupported DDL" (a charset change it cannot make, among others). */
const isUnsupported = (err: unknown): boolean => errnoOf(err) === 8200;

/** The target as DDL sees it, and the bytes of parameters one statement may carry (max_allowed_packet, less a margin). */
interface TargetFacts extends TargetTraits {
  statementBytes: number;
  /** lower_case_table_names is 1 or 2 (TiDB: always 2): `T` and `t` name one table. */
  foldsCase: boolean;
  flavor: SqlFlavor;
}

/** A table as written: under ddl ignore, only the target's columns (`indexes` into the source columns). */
interface Writable {
  table: TargetTable;
  indexes: number[] | undefined;
  /**
   * The target has NOT NULL columns without a default that this layout lacks (rows written
   * before the source added them, applied after a newer layout added them): insert without
   * strict mode, so they get the type's implicit value, as the source's rows did at the ADD.
   */
  lenient?: boolean;
}

/** Whether the target keeps a NOT NULL column without default that the layout does not write. */
function fillsImplicitly(t: TargetTable, cols: TargetColumnInfo[], diff: SchemaDiff): boolean {
  const written = new Set(t.columns.map((c) => c.name.toLowerCase()));
  const dropped = new Set(diff.drop.map((n) => n.toLowerCase()));
  return cols.some(
    (c) =>
      !written.has(c.name.toLowerCase()) &&
      !dropped.has(c.name.toLowerCase()) &&
      c.nullable === false &&
      !c.default &&
      !c.extras?.autoIncrement,
  );
}

function project(plan: TablePlan, w: Writable): TablePlan {
  const idx = w.indexes;
  if (!idx) return plan.table === w.table ? plan : { ...plan, table: w.table };
  return { ...plan, table: w.table, upserts: plan.upserts.map((row) => idx.map((i) => row[i] as SqlParam)) };
}
