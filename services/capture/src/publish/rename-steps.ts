import type { TableName } from '../event/ddl-statement.ts';

/**
 * What one `from TO to` pair of a RENAME means for the targets, by what is captured:
 * - rename: both names captured; the target table is renamed, in order with both topics' rows.
 * - cutover: an online schema-change tool's table onto the table it stands for (online-ddl.ts):
 *   an ALTER of `to`, whose rows the target already has.
 * - created: an uncaptured table takes a captured name: the target gets the table (not its rows).
 * - left: a captured table takes a name that is not captured: the target keeps the table as it is.
 */
export type RenameStep =
  | { kind: 'rename'; from: TableName; to: TableName; index: number }
  | { kind: 'cutover' | 'created' | 'left'; from: TableName; to: TableName; index: number };

export function renameSteps(
  renames: { from: TableName; to: TableName }[],
  captured: (t: TableName) => boolean,
  isCutOver: (from: TableName, to: TableName) => boolean,
): RenameStep[] {
  const out: RenameStep[] = [];
  renames.forEach(({ from, to }, index) => {
    const f = captured(from);
    const t = captured(to);
    if (f && t) out.push({ kind: 'rename', from, to, index });
    else if (t) out.push({ kind: isCutOver(from, to) ? 'cutover' : 'created', from, to, index });
    else if (f) out.push({ kind: 'left', from, to, index });
  });
  return out;
}
