import { ALLOW_ZERO_DATES_SQL, type Logger, mysqlOptionsFromUrl, qualified, SluiceError, type SqlParam } from '@sluice/core';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { TargetColumn, TargetTable } from '../decode/target-table.ts';
import type { TablePlan } from '../plan/batch-plan.ts';
import { LENIENT_SQL_MODE, RESTORE_SQL_MODE } from '../plan/enum-error-value.ts';
import { planStatements } from '../plan/statements.ts';
import { CaseClash } from './case-clash.ts';
import { checkpointTableSql, checkpointUpsert, type PartitionCheckpoint } from './checkpoint-table.ts';
import { describeDiff, diffSchema, evolveSql, isEmpty } from './schema-diff.ts';
import { guardPlan, guardTablesSql, recordVersions, truncatedAt } from './stale-write-guard.ts';
import { createDatabaseSql, createTableSql, type TargetTraits } from './table-ddl.ts';
import { classifyTargetError } from './target-errors.ts';

/**
 * The target seam. apply() writes a batch in one target transaction and resolves only after
 * COMMIT, so the caller may then commit Kafka offsets. Errors are SluiceErrors classified by code
 * (retriable or not); on error nothing of the batch is visible. Tables are created on first use,
 * before the transaction (DDL would commit it implicitly).
 */
export class TargetWriter {
  private readonly pool: mysql.Pool;
  private readonly log: Logger;
  private readonly ensured = new Map<string, Writable>();
  private readonly caseClash = new CaseClash();
  private facts: Promise<TargetFacts> | undefined;

  private readonly checkpointSchema: string;
  private checkpointReady: Promise<void> | undefined;

  private readonly guard: boolean;
  private guardReady: Promise<void> | undefined;

  private readonly ddl: 'apply' | 'ignore' | 'stop';

  constructor(opts: {
    url: string;
    poolSize: number;
    log: Logger;
    checkpointSchema?: string;
    staleWriteGuard?: boolean;
    ddl?: 'apply' | 'ignore' | 'stop';
  }) {
    this.log = opts.log;
    this.ddl = opts.ddl ?? 'apply';
    this.guard = opts.staleWriteGuard ?? false;
    this.checkpointSchema = opts.checkpointSchema ?? '_sluice';
    this.pool = mysql.createPool({ ...mysqlOptionsFromUrl(opts.url), database: undefined, connectionLimit: opts.poolSize });
    // Values travel as UTC text (TIMESTAMP) and exact strings; the session zone must not shift them.
    this.pool.on('connection', (c) => {
      c.query("SET time_zone = '+00:00'");
      c.query(ALLOW_ZERO_DATES_SQL);
    });
  }

  /**
   * Applies the plans and the partition checkpoints in one target transaction. The checkpoint
   * rows say, in the target itself, how far this sink has applied and how fresh the data is.
   */
  async apply(input: TablePlan[], checkpoints: PartitionCheckpoint[] = []): Promise<{ staleSkipped: number }> {
    let plans = input;
    // Counted for the caller only once committed: a retried transaction must not count twice.
    let staleSkipped = 0;
    try {
      const ready: TablePlan[] = [];
      for (const p of plans) {
        if (!p.drop) ready.push(project(p, await this.ensureTable(p.table)));
        // DDL commits implicitly: the drop goes before the transaction (a replay drops again, harmlessly).
        else {
          const done = await this.dropTable(p);
          if (done === 'dropped') ready.push(p);
          if (done === 'stale') staleSkipped++;
        }
      }
      plans = ready;
      if (this.guard && plans.length) await this.ensureGuardTables();
      const maxBytes = (await this.targetFacts()).statementBytes;
      if (checkpoints.length) await this.ensureCheckpointTable();
      const conn = await this.pool.getConnection();
      // Whether the session runs without strict mode for an ENUM error value (enum-error-value.ts).
      let lenient = false;
      try {
        await conn.beginTransaction();
        for (const original of plans) {
          if (original.drop) {
            // The table is gone; the guard remembers the drop like a truncate, so replayed older rows stay out.
            if (this.guard) await recordVersions(conn, this.checkpointSchema, original);
            continue;
          }
          let plan = original;
          if (this.guard) {
            const guarded = await guardPlan(conn, this.checkpointSchema, original);
            plan = guarded.plan;
            staleSkipped += guarded.dropped;
          }
          for (const st of planStatements(plan, 1024, maxBytes)) {
            if (!!st.lenient !== lenient) {
              await conn.query(st.lenient ? LENIENT_SQL_MODE : RESTORE_SQL_MODE);
              lenient = !!st.lenient;
            }
            await conn.execute(st.sql, st.params);
          }
          if (this.guard) await recordVersions(conn, this.checkpointSchema, plan);
        }
        if (lenient) {
          await conn.query(RESTORE_SQL_MODE);
          lenient = false;
        }
        for (const c of checkpoints) {
          const st = checkpointUpsert(this.checkpointSchema, c);
          await conn.execute(st.sql, st.params);
        }
        await conn.commit();
        return { staleSkipped };
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      } finally {
        // A pooled session must never stay non-strict: one that failed while lenient is closed.
        if (lenient) conn.destroy();
        else conn.release();
      }
    } catch (err) {
      throw classifyTargetError(err);
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
    for (const [id, w] of this.ensured) if (w.table.database === t.database && w.table.table === t.table) this.ensured.delete(id);
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

  /** Runs DDL statements once; on failure `reset` lets the next call try again. */
  private async runOnce(statements: string[], reset: () => void): Promise<void> {
    try {
      for (const sql of statements) await this.pool.query(sql);
    } catch (err) {
      reset();
      throw err;
    }
  }

  /**
   * Makes the target table ready for a schema version, by the ddl policy: `apply` creates it or
   * makes it follow the source (add, modify, drop columns); `ignore` leaves an existing table as it
   * is and writes only the columns it has; `stop` refuses any difference. Returns the table as it
   * is written (projected under `ignore`).
   */
  private async ensureTable(t: TargetTable): Promise<Writable> {
    const hit = this.ensured.get(t.id);
    if (hit) return hit;
    const traits = await this.targetFacts();
    if (traits.foldsCase) this.caseClash.check(t);
    await this.pool.query(createDatabaseSql(t.database));
    await this.pool.query(createTableSql(t, traits));
    const [cols] = await this.pool.query<RowDataPacket[]>(
      'SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [t.database, t.table],
    );
    const diff = diffSchema(
      t,
      cols.map((c) => ({ name: String(c.COLUMN_NAME), type: String(c.COLUMN_TYPE) })),
      traits,
    );
    const name = `${t.database}.${t.table}`;
    let writable: Writable = { table: t, indexes: undefined };
    if (!isEmpty(diff)) {
      if (this.ddl === 'stop') {
        throw new SluiceError(
          'SCHEMA_MISMATCH',
          `target table ${name} differs from the source schema: ${describeDiff(diff)} (ddl: stop)`,
        );
      }
      if (this.ddl === 'apply') {
        const sql = evolveSql(t, diff, traits);
        if (sql) await this.pool.query(sql);
        this.log.info({ table: name, change: describeDiff(diff) }, 'target table evolved');
      } else {
        // ignore: write the columns the target has, leave the rest.
        const have = new Set(cols.map((c) => String(c.COLUMN_NAME).toLowerCase()));
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
        writable = { table: { ...t, columns, keyIndexes, id: `${t.id}|ignore` }, indexes };
        this.log.warn({ table: name, change: describeDiff(diff) }, 'target table differs; ddl: ignore writes the columns it has');
      }
    }
    this.ensured.set(t.id, writable);
    this.log.info({ table: name }, 'target table ready');
    return writable;
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
    return {
      charsets: new Set(rows.map((r) => String(r.CHARACTER_SET_NAME).toLowerCase())),
      collations: new Set(rows.map((r) => String(r.COLLATION_NAME).toLowerCase())),
      spatial: !/tidb/i.test(String(server?.v)),
      statementBytes: Math.floor(Number(server?.p) * 0.9) - 64 * 1024,
      foldsCase: Number(server?.l) !== 0,
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The target as DDL sees it, and the bytes of parameters one statement may carry (max_allowed_packet, less a margin). */
interface TargetFacts extends TargetTraits {
  statementBytes: number;
  /** lower_case_table_names is 1 or 2 (TiDB: always 2): `T` and `t` name one table. */
  foldsCase: boolean;
}

/** A table as written: under ddl ignore, only the target's columns (`indexes` into the source columns). */
interface Writable {
  table: TargetTable;
  indexes: number[] | undefined;
}

function project(plan: TablePlan, w: Writable): TablePlan {
  const idx = w.indexes;
  if (!idx) return plan.table === w.table ? plan : { ...plan, table: w.table };
  return { ...plan, table: w.table, upserts: plan.upserts.map((row) => idx.map((i) => row[i] as SqlParam)) };
}
