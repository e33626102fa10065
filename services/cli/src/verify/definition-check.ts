import {
  buildTableAvro,
  describeStructureDiff,
  diffStructure,
  isEmptyStructureDiff,
  readTableDefinition,
  SluiceError,
  structureStatements,
  type TableDefinition,
  type TableSchema,
} from '@sluice/core';
import {
  describeDiff,
  diffSchema,
  evolveStatements,
  isEmpty,
  type TargetColumnInfo,
} from '@sluice/sink/src/apply/schema-diff.ts';
import { tableCopy } from '@sluice/sink/src/apply/table-copy.ts';
import type { TargetTraits } from '@sluice/sink/src/apply/table-ddl.ts';
import { type TargetTable, targetTableFromSchema } from '@sluice/sink/src/decode/target-table.ts';
import type { Session } from '../shared/session.ts';
import type { TablePair } from './table-selection.ts';

/** How a target table's definition differs from its source table's, and the DDL that repairs it. */
export interface DefinitionCheck {
  /** One phrase per difference (columns, then indexes, options, partitioning); empty when equal. */
  differences: string[];
  statements: string[];
  /** What the target kind cannot hold of the source's definition (not a difference). */
  leftOut: string[];
}

const read = (s: Session, database: string, table: string): Promise<TableDefinition | undefined> =>
  readTableDefinition((sql, params) => s.objects(sql, params), s.flavor === 'mariadb' ? 'mariadb' : 'mysql', database, table);

/** The target's traits as the sink reads them (target-writer.ts): its charsets and collations, TiDB or not. */
async function traitsOf(s: Session): Promise<TargetTraits> {
  const rows = await s.rows('SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS');
  return {
    charsets: new Set(rows.map((r) => String(r[1]).toLowerCase())),
    collations: new Set(rows.map((r) => String(r[0]).toLowerCase())),
    spatial: s.flavor !== 'tidb',
    tidb: s.flavor === 'tidb',
  };
}

/**
 * Compares the definitions the way the sink makes a target a copy: the source table becomes the
 * schema version capture would publish (Avro, then the sink's TargetTable), and the sink's own
 * column diff (schema-diff.ts) and structure diff (core) are taken against the target as it is.
 * So the normalisation (int display widths, charset spellings, defaults, index order, what
 * TiDB cannot hold) is the sink's, and `--fix print` prints the DDL the sink would run. Columns
 * capture does not publish as they are (`skip`: excluded or masked) are left out of it.
 */
export async function checkDefinition(
  source: Session,
  target: Session,
  pair: TablePair,
  key: string[],
  skip: Map<string, string>,
): Promise<DefinitionCheck | undefined> {
  const [s, t] = await Promise.all([
    read(source, pair.source.database, pair.source.table),
    read(target, pair.target.database, pair.target.table),
  ]);
  if (!s || !t) return undefined;
  const kept = (name: string) => !skip.has(name);
  const schema: TableSchema = {
    database: pair.target.database,
    table: pair.target.table,
    columns: s.columns.filter((c) => kept(c.name)),
    primaryKey: key,
    structure: s.structure,
  };
  let wanted: TargetTable;
  try {
    wanted = targetTableFromSchema(buildTableAvro('verify', schema).valueSchema);
  } catch (err) {
    if (err instanceof SluiceError) return { differences: [], statements: [], leftOut: [`not compared: ${err.message}`] };
    throw err;
  }
  const traits = await traitsOf(target);
  const have: TargetColumnInfo[] = t.columns
    .filter((c) => kept(c.name))
    .map((c) => ({
      name: c.name,
      type: c.sqlType,
      nullable: c.nullable,
      default: c.default,
      charset: c.charset ?? null,
      collation: c.collation ?? null,
      extras: {
        ...(c.comment ? { comment: c.comment } : {}),
        ...(c.autoIncrement ? { autoIncrement: true as const } : {}),
        ...(c.onUpdate ? { onUpdate: c.onUpdate } : {}),
      },
    }));
  const columns = diffSchema(wanted, have, traits);
  const copy = tableCopy(wanted, traits);
  const differences: string[] = [];
  const statements: string[] = [];
  if (!isEmpty(columns)) {
    differences.push(describeDiff(columns));
    statements.push(...evolveStatements(wanted, columns, traits));
  }
  if (copy) {
    const structure = diffStructure(copy.structure, t.structure);
    if (!isEmptyStructureDiff(structure)) {
      differences.push(describeStructureDiff(structure));
      statements.push(...structureStatements(wanted, structure, { separate: traits.tidb }));
    }
  }
  return { differences, statements, leftOut: copy?.leftOut ?? [] };
}
