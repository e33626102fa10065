/**
 * Whether a DDL marker may carry the table of now: only when the DDL left the columns as they
 * were (an index, a partition or a table option statement), i.e. the table's columns of now equal
 * those its last published version had, types, defaults and charsets included. A DDL that changes
 * columns gets no marker: its rows carry the new definition (schema-at-event.ts, from the binlog),
 * and a marker cannot know the definition right after it in a backlog (the table of now may be
 * later: a marker ahead of the rows between lost a renamed column's values). Unknown columns
 * before (never published) count as changed.
 */
export function sameColumns(before: Record<string, unknown> | undefined, now: Record<string, unknown>): boolean {
  const a = rowFields(before);
  return a !== undefined && a === rowFields(now);
}

/** The row record's fields of a sluice value schema (the `before` image), as text to compare. */
function rowFields(valueSchema: Record<string, unknown> | undefined): string | undefined {
  const before = (valueSchema?.fields as { name: string; type: unknown }[] | undefined)?.find((f) => f.name === 'before');
  const record = Array.isArray(before?.type) ? (before.type as unknown[]).find((t) => typeof t === 'object' && t) : undefined;
  const fields = (record as { fields?: unknown[] } | undefined)?.fields;
  return fields ? JSON.stringify(fields) : undefined;
}

/** A partition statement that removes or moves rows (sinks act on its marker, whatever its layout). */
export const removesRows = (statement: string): boolean => /\b(?:TRUNCATE|DROP|EXCHANGE|CONVERT)\s+PARTITION\b/i.test(statement);
