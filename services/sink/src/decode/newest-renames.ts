import { type Registry, tableTopic, valueSubject } from '@sluice/core';
import type { NewestColumns } from '../apply/latest-columns.ts';
import type { NewestRenames } from '../apply/target-writer.ts';
import { targetTableFromSchema } from './target-table.ts';

/**
 * The newest rename history of a source table: the one its latest registered value schema
 * carries. Asked only when a record's layout would drop target columns while adding others.
 */
export function newestRenames(registry: Registry, prefix: string): NewestRenames {
  return async (origin) => {
    const latest = await registry.latest(valueSubject(tableTopic(prefix, origin.database, origin.table)));
    return latest ? targetTableFromSchema(latest.schema).renames : undefined;
  };
}

/** The column names of a source table's latest registered value schema (apply/latest-columns.ts), unless that is a past layout. */
export function newestColumns(registry: Registry, prefix: string): NewestColumns {
  return async (origin) => {
    const latest = await registry.latest(valueSubject(tableTopic(prefix, origin.database, origin.table)));
    if (!latest) return undefined;
    const t = targetTableFromSchema(latest.schema);
    // A past layout (rows written before a DDL, registered after it) is not the source's table of now.
    return t.pastLayout ? undefined : t.columns.map((c) => c.name);
  };
}
