import { parseColumnDefault, type SqlFlavor } from '../avro/column-default.ts';
import type { ColumnDef } from '../avro/table-schema.ts';
import { qualified } from '../mysql/connection-options.ts';
import { columnExtras } from './column-extras.ts';
import { partitionClause } from './partitioning.ts';
import type { IndexDef, IndexKind, TableDefinition, TableOptions } from './table-definition.ts';

/**
 * Runs one query and returns its rows as objects by column name. The caller owns the session:
 * TIMESTAMP literal defaults print in the session's zone, so it should be UTC.
 */
export type DefinitionQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

const text = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/**
 * A table's definition as its server has it, from information_schema (COLUMNS, STATISTICS,
 * TABLES) and SHOW CREATE TABLE (the partitioning clause, which information_schema spreads over
 * rows of PARTITIONS). The same reader serves the source (capture), targets (sinks) and verify,
 * on MariaDB, MySQL and TiDB. Undefined when the table does not exist.
 */
export async function readTableDefinition(
  query: DefinitionQuery,
  flavor: SqlFlavor,
  database: string,
  table: string,
): Promise<TableDefinition | undefined> {
  const cols = await query(
    `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_DEFAULT, EXTRA,
            COLUMN_COMMENT, GENERATION_EXPRESSION
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  if (cols.length === 0) return undefined;
  const columns = cols.map((c) => columnOf(c, flavor));
  const stats = await query(
    `SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, COLLATION, SUB_PART, INDEX_TYPE, INDEX_COMMENT
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
      ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
    [database, table],
  );
  const [opts] = await query(
    `SELECT t.TABLE_COMMENT, t.TABLE_COLLATION, c.CHARACTER_SET_NAME, t.CREATE_OPTIONS
       FROM information_schema.TABLES t
       LEFT JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c ON c.COLLATION_NAME = t.TABLE_COLLATION
      WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?`,
    [database, table],
  );
  const partitioned = /partitioned/i.test(text(opts?.CREATE_OPTIONS));
  let partitioning: string | undefined;
  if (partitioned) {
    const [show] = await query(`SHOW CREATE TABLE ${qualified(database, table)}`, []);
    partitioning = partitionClause(text(show?.['Create Table']));
  }
  return {
    database,
    table,
    columns,
    structure: { indexes: indexesOf(stats), options: optionsOf(opts), ...(partitioning ? { partitioning } : {}) },
  };
}

function columnOf(c: Record<string, unknown>, flavor: SqlFlavor): ColumnDef {
  const nullable = c.IS_NULLABLE === 'YES';
  const sqlType = text(c.COLUMN_TYPE);
  const extra = text(c.EXTRA);
  const def = parseColumnDefault({
    flavor,
    raw: c.COLUMN_DEFAULT === null || c.COLUMN_DEFAULT === undefined ? null : text(c.COLUMN_DEFAULT),
    extra,
    sqlType,
    nullable,
  });
  const extras = columnExtras({ extra, comment: text(c.COLUMN_COMMENT), generation: text(c.GENERATION_EXPRESSION) });
  return {
    name: text(c.COLUMN_NAME),
    sqlType,
    nullable,
    charset: c.CHARACTER_SET_NAME === null || c.CHARACTER_SET_NAME === undefined ? null : text(c.CHARACTER_SET_NAME),
    collation: c.COLLATION_NAME === null || c.COLLATION_NAME === undefined ? null : text(c.COLLATION_NAME),
    ...(def ? { default: def } : {}),
    ...extras,
  };
}

/** STATISTICS rows (ordered by index, then position) as indexes, the primary key first. */
export function indexesOf(rows: Record<string, unknown>[]): IndexDef[] {
  const out: IndexDef[] = [];
  const byName = new Map<string, IndexDef>();
  for (const r of rows) {
    const name = text(r.INDEX_NAME);
    let idx = byName.get(name);
    if (!idx) {
      const comment = text(r.INDEX_COMMENT);
      idx = { name, kind: kindOf(name, r), parts: [], ...(comment ? { comment } : {}) };
      byName.set(name, idx);
      out.push(idx);
    }
    const column = r.COLUMN_NAME === null || r.COLUMN_NAME === undefined ? undefined : text(r.COLUMN_NAME);
    const length = r.SUB_PART === null || r.SUB_PART === undefined ? undefined : Number(r.SUB_PART);
    idx.parts.push({
      column: column ?? '',
      ...(length ? { length } : {}),
      ...(text(r.COLLATION) === 'D' ? { desc: true as const } : {}),
      ...(column === undefined ? { expression: text(r.EXPRESSION) || '?' } : {}),
    });
  }
  return out;
}

function kindOf(name: string, r: Record<string, unknown>): IndexKind {
  if (name === 'PRIMARY') return 'primary';
  const type = text(r.INDEX_TYPE).toUpperCase();
  if (type === 'FULLTEXT') return 'fulltext';
  if (type === 'SPATIAL') return 'spatial';
  return Number(r.NON_UNIQUE) === 0 ? 'unique' : 'index';
}

function optionsOf(r: Record<string, unknown> | undefined): TableOptions {
  if (!r) return {};
  const comment = text(r.TABLE_COMMENT);
  const collation = text(r.TABLE_COLLATION);
  const charset = text(r.CHARACTER_SET_NAME);
  return {
    ...(comment ? { comment } : {}),
    ...(charset ? { charset } : {}),
    ...(collation ? { collation } : {}),
  };
}
