import {
  describeStructureDiff,
  diffStructure,
  isEmptyStructureDiff,
  type Logger,
  readTableDefinition,
  SluiceError,
  type SqlFlavor,
  type StructureDiff,
  structureStatements,
} from '@sluice/core';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type { TargetTable } from '../decode/target-table.ts';
import { tableCopy } from './table-copy.ts';
import { createTableSql, type TargetTraits } from './table-ddl.ts';
import { classifyTargetError } from './target-errors.ts';

type Traits = TargetTraits & { flavor: SqlFlavor };

/**
 * Makes a target table's structure (indexes, table options, partitioning) a copy of the source's,
 * as each schema version carries it: desired state, so a replay or a restart changes nothing.
 * What the target cannot take (TiDB: spatial and fulltext indexes; a clause the target
 * refuses) is left out, with one warning per table naming it, and never stops the sink. A table
 * several sources merge into only gains indexes (structure-diff.ts).
 */
export class StructureSync {
  private readonly warned = new Set<string>();

  private readonly pool: mysql.Pool;
  private readonly log: Logger;
  private readonly ddl: 'apply' | 'ignore' | 'stop';

  constructor(pool: mysql.Pool, log: Logger, ddl: 'apply' | 'ignore' | 'stop') {
    this.pool = pool;
    this.log = log;
    this.ddl = ddl;
  }

  /** CREATE TABLE IF NOT EXISTS as a copy; a copy the target refuses is created bare, and reconcile adds what it can. */
  async create(t: TargetTable, traits: Traits): Promise<void> {
    try {
      await this.pool.query(createTableSql(t, traits));
    } catch (err) {
      const e = classifyTargetError(err);
      if (e.retriable || !t.structure) throw e;
      this.leftOut(t, [`the copy's CREATE TABLE (${e.message}); created with columns and key, indexes added one by one`]);
      await this.pool.query(createTableSql(t, traits, { bare: true }));
    }
  }

  /**
   * After the columns follow the version: under `apply`, alter the structure to the copy's;
   * under `stop`, refuse a difference; under `ignore`, leave it.
   */
  async reconcile(t: TargetTable, traits: Traits): Promise<void> {
    const copy = tableCopy(t, traits);
    if (!copy || this.ddl === 'ignore') return;
    const name = `${t.database}.${t.table}`;
    const have = await readTableDefinition(
      async (sql, params) => (await this.pool.query<RowDataPacket[]>(sql, params))[0],
      traits.flavor,
      t.database,
      t.table,
    );
    if (!have) return;
    const leftOut = [...copy.leftOut];
    const diff = withoutPrimary(diffStructure(copy.structure, have.structure, { shared: t.shared }), leftOut);
    // A partitioned target changes its partitions only by the source's partition statements (DDL
    // markers, table-actions.ts), in their order: a definition read after a later partition DDL
    // (the capture behind the source) would move rows that a DROP or TRUNCATE PARTITION between
    // the two must remove. A target without partitioning takes the source's here.
    if (have.structure.partitioning) delete diff.partitioning;
    if (!isEmptyStructureDiff(diff)) {
      if (this.ddl === 'stop') {
        throw new SluiceError(
          'SCHEMA_MISMATCH',
          `target table ${name} differs from the source definition: ${describeStructureDiff(diff)} (ddl: stop)`,
        );
      }
      await this.alter(t, diff, traits, leftOut);
      this.log.info({ table: name, change: describeStructureDiff(diff) }, 'target table structure follows the source');
    }
    this.leftOut(t, leftOut);
  }

  /** One ALTER (TiDB: one per clause); if the target refuses it, each clause alone, the refused ones left out. */
  private async alter(t: TargetTable, diff: StructureDiff, traits: Traits, leftOut: string[]): Promise<void> {
    let wanted = diff;
    let statements: string[];
    try {
      statements = structureStatements(t, wanted, { separate: traits.tidb });
    } catch (err) {
      // A partitioning text that is not one clause is refused before it reaches the target.
      if (!(err instanceof SluiceError)) throw err;
      leftOut.push(err.message);
      wanted = { ...diff, partitioning: undefined };
      statements = structureStatements(t, wanted, { separate: traits.tidb });
    }
    const refused = await this.run(statements);
    if (!refused.length) return;
    const single = traits.tidb ? refused : await this.run(structureStatements(t, wanted, { separate: true }));
    leftOut.push(...single.map((r) => `${r.sql} (${r.message})`));
  }

  private async run(statements: string[]): Promise<{ sql: string; message: string }[]> {
    const refused: { sql: string; message: string }[] = [];
    for (const sql of statements) {
      try {
        await this.pool.query(sql);
      } catch (err) {
        const e = classifyTargetError(err);
        if (e.retriable) throw e;
        refused.push({ sql, message: e.message });
      }
    }
    return refused;
  }

  private leftOut(t: TargetTable, what: string[]): void {
    if (!what.length) return;
    const key = JSON.stringify([t.database, t.table, what]);
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(
      { table: `${t.database}.${t.table}`, leftOut: what },
      'the target table cannot hold all of the source definition: these are left out (docs/ddl.md, Table definitions)',
    );
  }
}

/**
 * The sink never changes an existing target's primary key (rows are written by it; TiDB cannot
 * change a clustered one): a difference there is named, not applied.
 */
function withoutPrimary(d: StructureDiff, leftOut: string[]): StructureDiff {
  const primary = [...d.dropIndexes, ...d.addIndexes].some((i) => i.kind === 'primary');
  if (!primary) return d;
  leftOut.push('a change of the primary key (the target keeps its own)');
  return {
    ...d,
    dropIndexes: d.dropIndexes.filter((i) => i.kind !== 'primary'),
    addIndexes: d.addIndexes.filter((i) => i.kind !== 'primary'),
  };
}
