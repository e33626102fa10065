import { type ColumnDefault, sameDefault, type TableSchema, tableKey } from '@sluice/core';
import { addedFill } from '../event/added-fill.ts';
import type { ColumnChanges } from '../event/column-changes.ts';

/**
 * What the rows already in a table got when an ALTER added a column (the statement's DEFAULT),
 * per table and column, for as long as the process runs. Definitions are read from the source
 * when the capture reads the DDL, which may be after a later `ALTER ... SET DEFAULT`; a schema
 * whose column default differs from what its old rows got carries it as the column's `fill`
 * (sinks fill the rows with it when they add the column).
 */
export class AddedFills {
  private readonly byTable = new Map<string, Map<string, ColumnDefault>>();

  /** After a DDL: a table created, dropped or renamed starts afresh; an ALTER adds and drops columns. */
  afterDdl(kind: string, tables: { database: string; table: string }[], changes: ColumnChanges | undefined): void {
    if (kind !== 'alter_table') {
      if (kind === 'create_table' || kind === 'drop_table' || kind === 'rename_table') {
        for (const t of tables) this.byTable.delete(tableKey(t.database, t.table));
      }
      return;
    }
    const t = tables[0];
    if (!t || !changes) return;
    const name = tableKey(t.database, t.table);
    const fills = this.byTable.get(name) ?? new Map<string, ColumnDefault>();
    for (const d of changes.drops) fills.delete(d.toLowerCase());
    for (const r of changes.renames) {
      const f = fills.get(r.from.toLowerCase());
      fills.delete(r.from.toLowerCase());
      if (f) fills.set(r.to.toLowerCase(), f);
    }
    for (const a of changes.addDefinitions ?? []) {
      const fill = addedFill(a.definition);
      if (fill) fills.set(a.name.toLowerCase(), fill);
      else fills.delete(a.name.toLowerCase());
    }
    if (fills.size) this.byTable.set(name, fills);
    else this.byTable.delete(name);
  }

  /** The schema with `fill` on each column whose old rows got other than its default. */
  apply(schema: TableSchema): TableSchema {
    const fills = this.byTable.get(tableKey(schema.database, schema.table));
    if (!fills) return schema;
    return {
      ...schema,
      columns: schema.columns.map((c) => {
        const fill = fills.get(c.name.toLowerCase());
        if (!fill || sameDefault(fill, c.default, c.sqlType) || (fill.kind === 'null' && !c.nullable)) return c;
        return { ...c, fill };
      }),
    };
  }
}
