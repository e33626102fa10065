import { type Logger, mysqlOptionsFromUrl } from '@sluice/core';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { TargetTable } from '../decode/target-table.ts';
import type { TablePlan } from '../plan/batch-plan.ts';
import { planStatements } from '../plan/statements.ts';
import { checkpointTableSql, checkpointUpsert, type PartitionCheckpoint } from './checkpoint-table.ts';
import { guardPlan, guardTablesSql, recordVersions } from './stale-write-guard.ts';
import { addColumnsSql, createDatabaseSql, createTableSql, type TargetCharsets } from './table-ddl.ts';
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
  private readonly ensured = new Set<string>();
  private charsets: Promise<TargetCharsets> | undefined;

  private readonly checkpointSchema: string;
  private checkpointReady: Promise<void> | undefined;

  private readonly guard: boolean;
  private guardReady: Promise<void> | undefined;
  /** Changes the stale-write guard kept from moving a row backwards (for metrics). */
  staleDropped = 0;

  constructor(opts: { url: string; poolSize: number; log: Logger; checkpointSchema?: string; staleWriteGuard?: boolean }) {
    this.log = opts.log;
    this.guard = opts.staleWriteGuard ?? false;
    this.checkpointSchema = opts.checkpointSchema ?? '_sluice';
    this.pool = mysql.createPool({ ...mysqlOptionsFromUrl(opts.url), database: undefined, connectionLimit: opts.poolSize });
    // Values travel as UTC text (TIMESTAMP) and exact strings; the session zone must not shift them.
    this.pool.on('connection', (c) => {
      c.query("SET time_zone = '+00:00'");
    });
  }

  /**
   * Applies the plans and the partition checkpoints in one target transaction. The checkpoint
   * rows say, in the target itself, how far this sink has applied and how fresh the data is.
   */
  async apply(plans: TablePlan[], checkpoints: PartitionCheckpoint[] = []): Promise<void> {
    try {
      for (const p of plans) await this.ensureTable(p.table);
      if (this.guard && plans.length) await this.ensureGuardTables();
      if (checkpoints.length) await this.ensureCheckpointTable();
      const conn = await this.pool.getConnection();
      try {
        await conn.beginTransaction();
        for (const original of plans) {
          let plan = original;
          if (this.guard) {
            const guarded = await guardPlan(conn, this.checkpointSchema, original);
            plan = guarded.plan;
            this.staleDropped += guarded.dropped;
          }
          for (const st of planStatements(plan)) await conn.execute(st.sql, st.params);
          if (this.guard) await recordVersions(conn, this.checkpointSchema, plan);
        }
        for (const c of checkpoints) {
          const st = checkpointUpsert(this.checkpointSchema, c);
          await conn.execute(st.sql, st.params);
        }
        await conn.commit();
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    } catch (err) {
      throw classifyTargetError(err);
    }
  }

  private async ensureGuardTables(): Promise<void> {
    this.guardReady ??= (async () => {
      for (const sql of guardTablesSql(this.checkpointSchema)) await this.pool.query(sql);
    })();
    try {
      await this.guardReady;
    } catch (err) {
      this.guardReady = undefined;
      throw err;
    }
  }

  private async ensureCheckpointTable(): Promise<void> {
    this.checkpointReady ??= (async () => {
      for (const sql of checkpointTableSql(this.checkpointSchema)) await this.pool.query(sql);
    })();
    try {
      await this.checkpointReady;
    } catch (err) {
      this.checkpointReady = undefined;
      throw err;
    }
  }

  private async ensureTable(t: TargetTable): Promise<void> {
    if (this.ensured.has(t.id)) return;
    this.charsets ??= this.readCharsets();
    await this.pool.query(createDatabaseSql(t.database));
    await this.pool.query(createTableSql(t, await this.charsets));
    // A table that already existed may lack columns a newer source version added.
    const [cols] = await this.pool.query<RowDataPacket[]>(
      'SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [t.database, t.table],
    );
    const have = new Set(cols.map((c) => String(c.COLUMN_NAME).toLowerCase()));
    const missing = t.columns.filter((c) => !have.has(c.name.toLowerCase()));
    if (missing.length) {
      await this.pool.query(addColumnsSql(t, missing, await this.charsets));
      this.log.info(
        { table: `${t.database}.${t.table}`, added: missing.map((c) => c.name) },
        'target table evolved: columns added',
      );
    }
    this.ensured.add(t.id);
    this.log.info({ table: `${t.database}.${t.table}` }, 'target table ready');
  }

  private async readCharsets(): Promise<TargetCharsets> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS',
    );
    return {
      charsets: new Set(rows.map((r) => String(r.CHARACTER_SET_NAME).toLowerCase())),
      collations: new Set(rows.map((r) => String(r.COLLATION_NAME).toLowerCase())),
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
