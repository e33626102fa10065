import { qualified, quoteIdent } from '@sluice/core';
import { format } from 'mysql2';
import type { Statement } from './checksum-sql.ts';
import type { RowDiff } from './row-diff.ts';

/** The target table a repair writes, and the source columns it copies (in `row` order). */
export interface RepairTarget {
  database: string;
  table: string;
  key: string[];
  columns: string[];
}

/**
 * Statements that make the target rows equal to the source rows: DELETE the extra rows, UPDATE
 * the changed columns, INSERT the missing rows, with values as parameters (never in the SQL
 * text). `rows` holds the exact source values by canonical key text, aligned with `columns`.
 */
export function repairStatements(t: RepairTarget, diffs: RowDiff[], rows: Map<string, unknown[]>): Statement[] {
  const table = qualified(t.database, t.table);
  const where = t.key.map((k) => `${quoteIdent(k)} = ?`).join(' AND ');
  const out: Statement[] = [];
  const order: RowDiff['kind'][] = ['extra', 'changed', 'missing'];
  for (const kind of order) {
    for (const d of diffs.filter((x) => x.kind === kind)) {
      if (kind === 'extra') {
        out.push({ sql: `DELETE FROM ${table} WHERE ${where}`, params: [...d.key] });
        continue;
      }
      const row = rows.get(d.keyText);
      if (!row) continue; // gone from the source meanwhile: nothing to copy
      if (kind === 'missing') {
        out.push({
          sql: `INSERT INTO ${table} (${t.columns.map(quoteIdent).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`,
          params: row,
        });
        continue;
      }
      const changed = d.columns?.length ? d.columns : t.columns.filter((c) => !t.key.includes(c));
      const set = changed.filter((c) => t.columns.includes(c));
      if (!set.length) continue;
      out.push({
        sql: `UPDATE ${table} SET ${set.map((c) => `${quoteIdent(c)} = ?`).join(', ')} WHERE ${where}`,
        params: [...set.map((c) => row[t.columns.indexOf(c)]), ...d.key],
      });
    }
  }
  return out;
}

/**
 * A statement with its values written in, for printing only (`--fix print`): mysql2's escaping
 * quotes strings and writes binary values as X'..'. Applying uses the parameters instead.
 */
export const printable = (s: Statement): string => `${format(s.sql, s.params as never[])};`;
