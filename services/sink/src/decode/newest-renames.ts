import { type Registry, tableTopic, valueSubject } from '@sluice/core';
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
