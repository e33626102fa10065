import { canonicalPartitioning, type Logger, qualified, quoteIdent, readTableDefinition, SluiceError } from '@sluice/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { PartitionStatement } from '../plan/partition-statement.ts';
import type { MarkerAt, TableAction, TargetName } from '../plan/table-action.ts';
import { type MarkerDecisions, markerDdlId, renameDdlId } from './marker-decisions.ts';
import { deletePartitionRows } from './partition-delete.ts';
import { PartitionMoves } from './partition-moves.ts';
import { EXACT_NAMES } from './stale-write-guard.ts';
import { classifyTargetError } from './target-errors.ts';

/**
 * The state of renames in the target (`_sluice.ddl_markers`): per rename and target name, a row
 * per Kafka partition of the old name's topic that reached the rename's marker (`part` >= 0), and
 * a row with `part` -1 once the target table is renamed. Markers on the new name's topic wait
 * for that row (sink rename-gate.ts), so no row of the new name is applied before the rename.
 * Partition statements on topics of several partitions use the same rows (`from` = `to`).
 */
export const renameTableSql = (schema: string): string[] => [
  `CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`,
  `CREATE TABLE IF NOT EXISTS ${qualified(schema, 'ddl_markers')} (
  id VARCHAR(255) NOT NULL, to_db VARCHAR(64) NOT NULL, to_tbl VARCHAR(64) NOT NULL, part INT NOT NULL,
  from_db VARCHAR(64) NOT NULL, from_tbl VARCHAR(64) NOT NULL,
  topic VARCHAR(255) NULL, kafka_offset BIGINT NULL,
  at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id, to_db, to_tbl, part)) ${EXACT_NAMES}`,
];

const DONE = -1;
const name = (t: TargetName) => `${t.database}.${t.table}`;

/**
 * Runs the actions of DDL markers on the target: table renames (with the stale-write guard's rows)
 * and the partition statements that change rows. Each runs outside the batch's transaction (it
 * is DDL) and is idempotent: a replayed marker finds the rename done, or empties the partition
 * again before the rows after it are applied again.
 */
export class TableActions {
  private ready: Promise<void> | undefined;
  private readonly opts: {
    pool: Pool;
    log: Logger;
    schema: string;
    ddl: 'apply' | 'ignore' | 'stop';
    /** Whether the stale-write guard's tables exist (their rows follow a rename). */
    guard: () => Promise<boolean>;
    /** The writer forgets layouts it knew for these tables. */
    forget: (t: TargetName) => void;
    /** The operator's skip/replace decisions on marker actions the target refuses (marker-decisions.ts). */
    decisions?: MarkerDecisions;
  };

  /** EXCHANGE / CONVERT PARTITION (partition-moves.ts). */
  private readonly moves: PartitionMoves;
  /** Barrier, rename and move ids a worker of this process is running now (arrived, partition-moves.ts). */
  private readonly running = new Set<string>();

  constructor(opts: TableActions['opts']) {
    this.opts = opts;
    this.moves = new PartitionMoves({ ...opts, ensureState: () => this.ensureState(), running: this.running });
  }

  async run(action: TableAction, table: TargetName): Promise<void> {
    if (action.kind === 'rename') {
      await this.rename(action);
      return;
    }
    if (action.move) {
      const move = action as Parameters<PartitionMoves['run']>[0];
      const decided = await this.orDecided(action, move.move.target.table, 'a partition move', () => this.moves.run(move));
      // Skipped or replaced by the operator: the move counts as done, the markers waiting for it go on.
      if (decided) await this.moves.done(move);
      return;
    }
    const b = action.barrier;
    const statement = () => this.partition(action.statement, action.partition, table, action.partitioning);
    if (!b) {
      await this.orDecided(action, table, 'a partition statement', statement);
      return;
    }
    // Once, when every partition of the topic is at its marker (none applies rows past it before).
    await this.ensureState();
    if (!(await this.arrived(b.id, table, table, b.at, b.partitions, b.marker))) return;
    try {
      await this.orDecided(action, table, 'a partition statement', statement);
      await this.note(b.id, table, table, DONE);
    } finally {
      this.release(b.id);
    }
  }

  /**
   * A partition statement or move; one the target cannot take goes by the operator's decision
   * (true: skipped or replaced), or stops the sink.
   */
  private async orDecided(
    action: Extract<TableAction, { kind: 'partition' }>,
    table: TargetName,
    what: string,
    run: () => Promise<void>,
  ): Promise<boolean> {
    try {
      await run();
      return false;
    } catch (err) {
      const { decisions } = this.opts;
      if (!(err instanceof SluiceError) || err.code !== 'PARTITION_DDL_UNSUPPORTED' || !decisions) throw err;
      const lead = `cannot be applied to target table ${name(table)}: `;
      const at = err.message.indexOf(lead);
      await decisions.refused({
        code: 'PARTITION_DDL_UNSUPPORTED',
        target: table,
        id: markerDdlId(table, action.position ?? '', action.statement),
        statement: action.statement,
        why: at >= 0 ? err.message.slice(at + lead.length) : err.message,
        what,
        ...(action.position ? { position: action.position } : {}),
      });
      return true;
    }
  }

  /**
   * A TRUNCATE or DROP TABLE marker on a topic of several partitions (`sluice.barrier`): notes
   * that this partition reached it; true when it completes the set and the statement is not done
   * yet (the caller then runs it, notes it done with barrierDone, and releases it once that is
   * committed or failed).
   */
  async barrierArrived(b: { id: string; partitions: number; at: number; marker?: MarkerAt }, t: TargetName): Promise<boolean> {
    await this.ensureState();
    return this.arrived(b.id, t, t, b.at, b.partitions, b.marker);
  }

  /** The statement of a barrier ran: every partition waiting at its marker goes on (`exec`: in the caller's transaction). */
  async barrierDone(
    id: string,
    t: TargetName,
    exec?: (sql: string, params: (string | number | null)[]) => Promise<unknown>,
  ): Promise<void> {
    if (!exec) return this.note(id, t, t, DONE);
    await exec(
      `INSERT IGNORE INTO ${this.state()} (id, to_db, to_tbl, part, from_db, from_tbl, topic, kafka_offset) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)`,
      [id, t.database, t.table, DONE, t.database, t.table],
    );
  }

  /** Notes a rename done without doing it (the operator skipped it): the new name's rows go on, a late marker does nothing. */
  async renameSkipped(id: string, to: TargetName): Promise<void> {
    await this.ensureState();
    await this.note(id, to, to, DONE);
  }

  /** Notes that partition `part` reached the marker; true when it completes the set and the action is not done yet. */
  private async arrived(
    id: string,
    from: TargetName,
    to: TargetName,
    part: number,
    partitions: number,
    at?: MarkerAt,
  ): Promise<boolean> {
    await this.note(id, from, to, part, at);
    const [rows] = await this.opts.pool.execute<RowDataPacket[]>(
      `SELECT part FROM ${this.state()} WHERE id = ? AND to_db = ? AND to_tbl = ?`,
      [id, to.database, to.table],
    );
    const parts = rows.map((r) => Number(r.part));
    const ready = !parts.includes(DONE) && parts.filter((p) => p >= 0).length >= partitions;
    // Partitions are applied by parallel workers: two markers of one id can both see the set
    // complete. One runs the statement; the other waits at its marker until it is noted done.
    if (!ready || this.running.has(id)) return false;
    this.running.add(id);
    return true;
  }

  /** The statement of a barrier that `arrived` (or barrierArrived) gave this worker has ended, done or failed. */
  release(id: string): void {
    this.running.delete(id);
  }

  private async note(id: string, from: TargetName, to: TargetName, part: number, at?: MarkerAt): Promise<void> {
    await this.opts.pool.execute(
      `INSERT IGNORE INTO ${this.state()} (id, to_db, to_tbl, part, from_db, from_tbl, topic, kafka_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, to.database, to.table, part, from.database, from.table, at?.topic ?? null, at?.offset ?? null],
    );
  }

  /**
   * The offset of the last marker noted on a topic partition: every record before it was applied
   * before the marker's rename or statement ran, so a replay (a crash before the offsets were
   * committed) must not apply those records again after it (it would bring back the old name).
   */
  async markerFloor(topic: string, partition: number): Promise<bigint | undefined> {
    await this.ensureState();
    const [rows] = await this.opts.pool.execute<RowDataPacket[]>(
      `SELECT MAX(kafka_offset) AS o FROM ${this.state()} WHERE topic = ? AND part = ?`,
      [topic, partition],
    );
    const o = rows[0]?.o;
    return o === null || o === undefined ? undefined : BigInt(String(o));
  }

  /** Whether the rename is done (for the target name `to`, when given): rename markers wait for it. */
  async renameDone(id: string, to?: TargetName): Promise<boolean> {
    await this.ensureState();
    const [rows] = await this.opts.pool.execute<RowDataPacket[]>(
      `SELECT 1 FROM ${this.state()} WHERE id = ? AND part = ${DONE}${to ? ' AND to_db = ? AND to_tbl = ?' : ''}`,
      to ? [id, to.database, to.table] : [id],
    );
    return rows.length > 0;
  }

  private state(): string {
    return qualified(this.opts.schema, 'ddl_markers');
  }

  private ensureState(): Promise<void> {
    this.ready ??= (async () => {
      for (const sql of renameTableSql(this.opts.schema)) await this.opts.pool.query(sql);
    })().catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /**
   * The marker on one partition of the old name's topic: note it, and when every partition has
   * reached it, rename the target table (unless done already, or the policy or a shard merge
   * says not to), move the guard's rows, and note the rename done.
   */
  private async rename(a: Extract<TableAction, { kind: 'rename' }>): Promise<void> {
    await this.ensureState();
    const { log } = this.opts;
    const { id, partitions } = a.rename;
    if (!(await this.arrived(id, a.from, a.to, a.partition, partitions, a.at))) return;
    try {
      const fields = { from: name(a.from), to: name(a.to) };
      if (a.from.shared || a.to.shared) {
        log.warn(fields, 'rename of one shard not applied to the merged table');
      } else if (this.opts.ddl === 'stop') {
        throw new SluiceError('SCHEMA_MISMATCH', `the source renamed table ${fields.from} to ${fields.to} (ddl: stop)`);
      } else if (this.opts.ddl === 'ignore') {
        log.warn(fields, 'the source renamed the table; ddl: ignore keeps the target as it is');
      } else {
        await this.renameTable(a);
      }
      await this.note(id, a.from, a.to, DONE);
    } finally {
      this.release(id);
    }
  }

  /**
   * A statement that changes how the table is partitioned (ADD, REORGANIZE, COALESCE PARTITION,
   * PARTITION BY, REMOVE PARTITIONING), with the target's name. A replayed one the target refuses
   * is done already when the target is partitioned as the marker's definition says.
   */
  private async define(
    clause: string,
    t: TargetName & { structure?: { partitioning?: string } },
    statement: string,
    refuse: (why: string) => never,
  ): Promise<void> {
    const { pool, log } = this.opts;
    try {
      await pool.query(`ALTER TABLE ${qualified(t.database, t.table)} ${clause}`);
    } catch (err) {
      const e = classifyTargetError(err);
      if (e.retriable) throw e;
      const have = await readTableDefinition(
        async (sql, params) => (await pool.query<RowDataPacket[]>(sql, params))[0],
        'mysql',
        t.database,
        t.table,
      );
      const want = canonicalPartitioning(t.structure?.partitioning) ?? '';
      if (!have || (canonicalPartitioning(have.structure.partitioning) ?? '') !== want) refuse(e.message);
      log.info({ table: name(t), statement }, 'partition statement applied already (a replay)');
      return;
    }
    log.info({ table: name(t), statement }, 'partition statement applied, as on the source');
  }

  private async renameTable(a: Extract<TableAction, { kind: 'rename' }>): Promise<void> {
    const { pool, log, decisions } = this.opts;
    const { from, to } = a;
    let [have, clash] = [await this.exists(from), await this.exists(to)];
    if (have && clash) {
      const why = `the target has both ${name(from)} and ${name(to)}: drop or rename the stale one`;
      if (!decisions)
        throw new SluiceError('TARGET_RENAME_CONFLICT', `the source renamed table ${name(from)} to ${name(to)}, and ${why}`);
      const decided = await decisions.refused({
        code: 'TARGET_RENAME_CONFLICT',
        target: to,
        id: renameDdlId(to, a.rename.id),
        statement: a.statement ?? `RENAME TABLE ${qualified(from.database, from.table)} TO ${qualified(to.database, to.table)}`,
        why,
        what: `the rename of ${name(from)} to ${name(to)}`,
        ...(a.position ? { position: a.position } : {}),
      });
      if (decided === 'skip') {
        // Both tables stay as they are; the new name's rows go to the existing table.
        this.opts.forget(from);
        this.opts.forget(to);
        return;
      }
      // The operator's statements ran; a rename they leave possible (the stale table dropped) is still done.
      [have, clash] = [await this.exists(from), await this.exists(to)];
      if (have && clash) have = false;
    }
    if (have) {
      await pool.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(to.database)}`);
      await pool.query(`RENAME TABLE ${qualified(from.database, from.table)} TO ${qualified(to.database, to.table)}`);
    }
    if (await this.opts.guard()) {
      // The guard's memory of the table follows it (rows the new name may already have win).
      for (const t of ['row_versions', 'table_versions']) {
        const table = qualified(this.opts.schema, t);
        await pool.execute(`UPDATE IGNORE ${table} SET db = ?, tbl = ? WHERE db = ? AND tbl = ?`, [
          to.database,
          to.table,
          from.database,
          from.table,
        ]);
        await pool.execute(`DELETE FROM ${table} WHERE db = ? AND tbl = ?`, [from.database, from.table]);
      }
    }
    this.opts.forget(from);
    this.opts.forget(to);
    log.info({ from: name(from), to: name(to), renamed: have }, 'target table renamed, as on the source');
  }

  private async exists(t: TargetName): Promise<boolean> {
    const [rows] = await this.opts.pool.execute<RowDataPacket[]>(
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [t.database, t.table],
    );
    return rows.length > 0;
  }

  /**
   * TRUNCATE or DROP PARTITION on a target table partitioned with the partitions named: the same
   * statement, with the target's name. Anything else stops the sink (PARTITION_DDL_UNSUPPORTED).
   */
  private async partition(statement: string, p: PartitionStatement, t: TargetName, partitioning?: string): Promise<void> {
    const { pool, log } = this.opts;
    const fields = { table: name(t), statement };
    if (t.shared) {
      log.warn(fields, 'partition statement of one shard not applied to the merged table');
      return;
    }
    if (this.opts.ddl === 'ignore') {
      log.warn(fields, 'partition statement not applied (ddl: ignore)');
      return;
    }
    if (!(await this.exists(t))) return; // nothing there to remove
    const refuse = (why: string): never => {
      throw new SluiceError('PARTITION_DDL_UNSUPPORTED', `${statement} cannot be applied to target table ${name(t)}: ${why}`);
    };
    if (p.op === 'define') {
      await this.define(p.clause, t, statement, refuse);
      return;
    }
    if (p.op === 'exchange' || p.op === 'convert') refuse(`${p.op.toUpperCase()} PARTITION moves rows between tables`);
    const [rows] = await pool.execute<RowDataPacket[]>(
      'SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL',
      [t.database, t.table],
    );
    const have = new Map(rows.map((r) => [String(r.PARTITION_NAME).toLowerCase(), String(r.PARTITION_NAME)]));
    const missing = p.partitions === 'all' ? [] : p.partitions.filter((n) => !have.has(n.toLowerCase()));
    const replayedDrop = have.size > 0 && p.op === 'drop' && missing.length === p.partitions.length;
    if (partitioning !== undefined && !replayedDrop && (have.size === 0 || missing.length > 0)) {
      // Not partitioned with these partitions: delete exactly the rows they held on the source (partition-delete.ts).
      const deleted = await deletePartitionRows(pool, t, partitioning, p.partitions, statement);
      log.info({ ...fields, deleted }, 'rows of the source partitions deleted (the target is not partitioned as the source)');
      return;
    }
    if (have.size === 0) refuse('it is not partitioned');
    const names = p.partitions === 'all' ? 'all' : p.partitions.map((n) => have.get(n.toLowerCase()));
    if (names !== 'all' && names.some((n) => n === undefined)) {
      const missing = (p.partitions as string[]).filter((n) => !have.has(n.toLowerCase()));
      // DROP PARTITION replayed after it was done: the partition is gone already.
      if (p.op === 'drop' && missing.length === p.partitions.length) return;
      refuse(`it has no partition ${missing.join(', ')}`);
    }
    const list = names === 'all' ? 'ALL' : (names as string[]).map(quoteIdent).join(', ');
    await pool.query(
      `ALTER TABLE ${qualified(t.database, t.table)} ${p.op === 'truncate' ? 'TRUNCATE' : 'DROP'} PARTITION ${list}`,
    );
    log.info(fields, 'partition statement applied, as on the source');
  }
}
