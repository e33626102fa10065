import { columnChanges } from '../event/column-changes.ts';

/**
 * Whether the table of now can be the definition right after an ALTER (or index statement): its
 * columns are those before it, with the statement's renames, drops and adds. When they are not, a
 * later DDL has already run on the source (a backlog): a marker with the table of now would run
 * ahead of the rows between, and lose a renamed column's values (the rename history of now does
 * not know the later names yet), and one with the definition before would take the target back
 * behind rows already applied. Then no marker (ddl-records.ts) unless the statement removes rows;
 * the rows and the next DDL's marker carry the definitions. Unknown columns before cannot be
 * checked: taken as not following. Types are not compared (a later MODIFY is not told apart).
 */
export function definitionFollows(before: string[] | undefined, now: { name: string }[], statement: string): boolean {
  if (!before) return false;
  const changes = columnChanges(statement) ?? { renames: [], drops: [], adds: [] };
  const names = before.map((c) => c.toLowerCase());
  for (const r of changes.renames) {
    const i = names.indexOf(r.from.toLowerCase());
    if (i >= 0) names[i] = r.to.toLowerCase();
  }
  const drops = new Set(changes.drops.map((d) => d.toLowerCase()));
  const expected = new Set([...names.filter((n) => !drops.has(n)), ...changes.adds.map((a) => a.toLowerCase())]);
  const have = new Set(now.map((c) => c.name.toLowerCase()));
  return expected.size === have.size && [...expected].every((n) => have.has(n));
}

/** Column names of a registered sluice value schema (the `before` row record's fields). */
export function columnsOfValueSchema(valueSchema: Record<string, unknown>): string[] | undefined {
  const before = (valueSchema.fields as { name: string; type: unknown }[] | undefined)?.find((f) => f.name === 'before');
  const record = Array.isArray(before?.type) ? (before.type as unknown[]).find((t) => typeof t === 'object' && t) : undefined;
  const fields = (record as { fields?: Record<string, unknown>[] } | undefined)?.fields;
  return fields?.map((f) => String(f['sluice.column'] ?? f.name));
}

/** A partition statement that removes or moves rows (sinks act on its marker, whatever its layout). */
export const removesRows = (statement: string): boolean => /\b(?:TRUNCATE|DROP|EXCHANGE|CONVERT)\s+PARTITION\b/i.test(statement);
