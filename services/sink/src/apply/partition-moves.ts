import { createHash } from 'node:crypto';
import { isOneSqlPiece, type Logger, qualified, quoteIdent, SluiceError } from '@sluice/core';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { TableAction, TargetName } from '../plan/table-action.ts';
import { rowsOfPartitions } from './partition-delete.ts';
import { classifyTargetError } from './target-errors.ts';

type Move = Extract<TableAction, { kind: 'partition' }> & {
  move: NonNullable<Extract<TableAction, { kind: 'partition' }>['move']>;
  barrier: NonNullable<Extract<TableAction, { kind: 'partition' }>['barrier']>;
};

const DONE = -1;
/** Noted in the same transaction as the rows moved: a replay never moves them twice (an EXCHANGE would swap back). */
const MOVED = -2;
const name = (t: TargetName) => `${t.database}.${t.table}`;

/**
 * EXCHANGE PARTITION and CONVERT PARTITION/TABLE on the target (docs/ddl.md, partitions). The
 * source moves rows between two tables without row events; every partition of both tables'
 * topics carries a marker (capture publish/partition-markers.ts). Each marker notes its arrival
 * in `_sluice.ddl_markers` (keyed by its own table, so the offset floor of its topic partition
 * works as for renames) and waits there (rename-gate.ts, by the move's id); the marker that
 * completes the set moves the rows, once:
 *
 * - with ordinary DML in one target transaction (INSERT ... SELECT, DELETE), whatever the
 *   target's partitioning, on MariaDB and TiDB alike: the partition's rows are told by the
 *   source's partitioning clause (core definition/partition-rows.ts), exact or refused;
 * - noted done (`part` -2) in that same transaction, so that a replay does not move them again;
 * - DDL around it for the partitions (a target partitioned like the source drops the partition
 *   CONVERT PARTITION took away, or adds the one CONVERT TABLE makes) and for the table CONVERT
 *   TABLE consumes, each idempotent.
 */
export class PartitionMoves {
  private readonly opts: {
    pool: Pool;
    log: Logger;
    schema: string;
    ddl: 'apply' | 'ignore' | 'stop';
    ensureState: () => Promise<void>;
    /** Barrier, rename and move ids a worker of this process is running now (table-actions.ts). */
    running: Set<string>;
    forget: (t: TargetName) => void;
  };

  constructor(opts: PartitionMoves['opts']) {
    this.opts = opts;
  }

  async run(a: Move): Promise<void> {
    await this.opts.ensureState();
    const { move, barrier } = a;
    const own = move.side === 'table' ? move.table : move.other;
    await this.note(move.id, own, barrier.at, barrier.marker);
    const parts = await this.parts(move.id);
    if (parts.includes(DONE) || parts.filter((p) => p >= 0).length < move.partitions) return;
    // The two tables' topics are applied by parallel workers: both last markers can see the set
    // complete. One moves the rows; the other waits at its marker until the move is noted done.
    const { running } = this.opts;
    if (running.has(move.id)) return;
    running.add(move.id);
    try {
      await this.apply(a);
      await this.done(a);
    } finally {
      running.delete(move.id);
    }
  }

  /** The move is done (applied, or skipped or replaced by the operator): every marker waiting for it goes on. */
  async done(a: Move): Promise<void> {
    await this.note(a.move.id, a.move.table, DONE);
  }

  private state(): string {
    return qualified(this.opts.schema, 'ddl_markers');
  }

  private async parts(id: string): Promise<number[]> {
    const [rows] = await this.opts.pool.execute<RowDataPacket[]>(`SELECT part FROM ${this.state()} WHERE id = ?`, [id]);
    return rows.map((r) => Number(r.part));
  }

  private async note(
    id: string,
    t: { database: string; table: string },
    part: number,
    at?: { topic: string; offset: string },
    db: Pool | PoolConnection = this.opts.pool,
  ): Promise<void> {
    await db.execute(
      `INSERT IGNORE INTO ${this.state()} (id, to_db, to_tbl, part, from_db, from_tbl, topic, kafka_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, t.database, t.table, part, t.database, t.table, at?.topic ?? null, at?.offset ?? null],
    );
  }

  private async apply(a: Move): Promise<void> {
    const { log, ddl } = this.opts;
    const { move } = a;
    const T = move.captured.table ? move.target.table : undefined;
    const O = move.captured.other ? move.target.other : undefined;
    const fields = { table: name(move.target.table), other: name(move.target.other), statement: a.statement };
    if (T?.shared || O?.shared) {
      log.warn(fields, 'partition move of one shard not applied to the merged table');
      return;
    }
    if (ddl === 'ignore') {
      log.warn(fields, 'partition move not applied (ddl: ignore)');
      return;
    }
    if (ddl === 'stop') throw new SluiceError('SCHEMA_MISMATCH', `the source ran ${a.statement} (ddl: stop)`);
    if (!T || !O) {
      log.warn(
        fields,
        'one table of the partition move is not captured: rows it received from it are not copied (copy them with sluice bootstrap)',
      );
    }
    // A captured table the target does not have yet (CONVERT PARTITION creates it; a table that
    // never had a row has none): made like the other one, so that the rows it takes are not lost.
    if (T && O && move.op !== 'in' && (await this.exists(T)) && !(await this.exists(O))) await this.createLike(O, T);
    if (T && O && (await this.exists(O)) && !(await this.exists(T))) await this.createLike(T, O);
    const t = T && (await this.exists(T)) ? T : undefined;
    const o = O && (await this.exists(O)) ? O : undefined;
    if (move.op === 'in') await this.addPartition(t, move.definition, move.partition, a.statement);
    const moved = (await this.parts(move.id)).includes(MOVED);
    // Before the transaction: DDL commits, and TiDB's transaction would not see a table created during it.
    if (!moved && move.op === 'exchange' && t && o) await this.scratch(move.id, t);
    if (!moved) await this.inTransaction((c) => this.moveRows(c, a, t, o));
    if (move.op === 'exchange' && t) await this.opts.pool.query(`DROP TABLE IF EXISTS ${this.scratchName(move.id, t)}`);
    if (move.op === 'out' && t) await this.dropPartition(t, move.partition);
    if (move.op === 'in' && O) {
      // The source table became a partition: it is gone (its rows moved above).
      await this.opts.pool.query(`DROP TABLE IF EXISTS ${qualified(O.database, O.table)}`);
      this.opts.forget(O);
    }
    log.info(fields, moved ? 'partition move done already (a replay)' : 'partition move applied, as on the source');
  }

  /** The rows, in one transaction with the note that they moved. */
  private async moveRows(c: PoolConnection, a: Move, t: TargetName | undefined, o: TargetName | undefined): Promise<void> {
    const { move } = a;
    const rowsOf = (x: TargetName) => rowsOfPartitions(a.partitioning, [move.partition], x, a.statement);
    if (move.op === 'exchange') {
      if (t && o) {
        const where = rowsOf(t);
        const scratch = this.scratchName(move.id, t);
        const cols = await this.columns(c, t, o);
        await c.query(`DELETE FROM ${scratch}`);
        await c.query(`INSERT INTO ${scratch} (${cols}) SELECT ${cols} FROM ${q(t)} WHERE ${where.sql}`, where.params);
        await c.query(`DELETE FROM ${q(t)} WHERE ${where.sql}`, where.params);
        await c.query(`INSERT INTO ${q(t)} (${cols}) SELECT ${cols} FROM ${q(o)}`);
        await c.query(`DELETE FROM ${q(o)}`);
        await c.query(`INSERT INTO ${q(o)} (${cols}) SELECT ${cols} FROM ${scratch}`);
        await c.query(`DELETE FROM ${scratch}`);
      } else if (t) {
        const where = rowsOf(t);
        await c.query(`DELETE FROM ${q(t)} WHERE ${where.sql}`, where.params);
      } else if (o) {
        await c.query(`DELETE FROM ${q(o)}`);
      }
    } else if (move.op === 'out') {
      if (t) {
        const where = rowsOf(t);
        if (o) {
          const cols = await this.columns(c, t, o);
          await c.query(`INSERT INTO ${q(o)} (${cols}) SELECT ${cols} FROM ${q(t)} WHERE ${where.sql}`, where.params);
        }
        await c.query(`DELETE FROM ${q(t)} WHERE ${where.sql}`, where.params);
      }
    } else if (t && o) {
      const cols = await this.columns(c, t, o);
      await c.query(`INSERT INTO ${q(t)} (${cols}) SELECT ${cols} FROM ${q(o)}`);
      await c.query(`DELETE FROM ${q(o)}`);
    }
    await this.note(move.id, move.table, MOVED, undefined, c);
  }

  private async inTransaction(work: (c: PoolConnection) => Promise<void>): Promise<void> {
    const c = await this.opts.pool.getConnection();
    try {
      await c.beginTransaction();
      try {
        await work(c);
        await c.commit();
      } catch (err) {
        await c.rollback().catch(() => undefined);
        throw err;
      }
    } finally {
      c.release();
    }
  }

  /**
   * A table in the checkpoint schema shaped like `t`, holding the partition's rows while an
   * EXCHANGE swaps (created before the rows move: DDL commits; dropped after).
   */
  private async scratch(id: string, t: TargetName): Promise<string> {
    const table = this.scratchName(id, t);
    await this.opts.pool.query(`CREATE TABLE IF NOT EXISTS ${table} LIKE ${q(t)}`);
    return table;
  }

  private scratchName(id: string, t: TargetName): string {
    const tag = createHash('sha256').update(`${id}\0${t.database}\0${t.table}`).digest('hex').slice(0, 16);
    return qualified(this.opts.schema, `move_${tag}`);
  }

  /** The columns both tables have, in `t`'s order, quoted. */
  private async columns(c: PoolConnection, t: TargetName, o: TargetName): Promise<string> {
    const read = async (x: TargetName) => {
      const [rows] = await c.execute<RowDataPacket[]>(
        'SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [x.database, x.table],
      );
      return rows.map((r) => String(r.COLUMN_NAME));
    };
    const theirs = new Set((await read(o)).map((n) => n.toLowerCase()));
    const cols = (await read(t)).filter((n) => theirs.has(n.toLowerCase()));
    if (cols.length === 0)
      throw new SluiceError('PARTITION_DDL_UNSUPPORTED', `${name(t)} and ${name(o)} have no column in common`);
    return cols.map(quoteIdent).join(', ');
  }

  private async partitionsOf(t: TargetName): Promise<string[]> {
    const [rows] = await this.opts.pool.execute<RowDataPacket[]>(
      'SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL',
      [t.database, t.table],
    );
    return rows.map((r) => String(r.PARTITION_NAME).toLowerCase());
  }

  /** CONVERT PARTITION: a target partitioned with that partition loses it too (it is empty now). */
  private async dropPartition(t: TargetName, partition: string): Promise<void> {
    if (!(await this.partitionsOf(t)).includes(partition.toLowerCase())) return;
    await this.opts.pool.query(`ALTER TABLE ${q(t)} DROP PARTITION ${quoteIdent(partition)}`);
  }

  /** CONVERT TABLE: a partitioned target gains the partition (unpartitioned targets take the rows as they are). */
  private async addPartition(
    t: TargetName | undefined,
    definition: string | undefined,
    partition: string,
    statement: string,
  ): Promise<void> {
    if (!t) return;
    const have = await this.partitionsOf(t);
    if (have.length === 0 || have.includes(partition.toLowerCase())) return;
    if (!definition || !isOneSqlPiece(definition) || !/^PARTITION /i.test(definition)) {
      throw new SluiceError('PARTITION_DDL_UNSUPPORTED', `${statement}: no partition definition to add to ${name(t)}`);
    }
    try {
      await this.opts.pool.query(`ALTER TABLE ${q(t)} ADD PARTITION (${definition})`);
    } catch (err) {
      const e = classifyTargetError(err);
      if (e.retriable) throw e;
      throw new SluiceError(
        'PARTITION_DDL_UNSUPPORTED',
        `${statement} cannot be applied to target table ${name(t)}: adding the partition failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** A table shaped like `t`, without its partitioning (the sink gives it the source's at its next layout). */
  private async createLike(o: TargetName, t: TargetName): Promise<void> {
    const { pool } = this.opts;
    await pool.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(o.database)}`);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${q(o)} LIKE ${q(t)}`);
    if ((await this.partitionsOf(o)).length > 0) await pool.query(`ALTER TABLE ${q(o)} REMOVE PARTITIONING`);
    this.opts.forget(o);
  }

  private async exists(t: TargetName): Promise<boolean> {
    const [rows] = await this.opts.pool.execute<RowDataPacket[]>(
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [t.database, t.table],
    );
    return rows.length > 0;
  }
}

const q = (t: TargetName) => qualified(t.database, t.table);
