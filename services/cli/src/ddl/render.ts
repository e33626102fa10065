import type { DdlDecision } from '@sluice/sink/src/apply/ddl-decisions.ts';
import { renderTable } from '../output/table.ts';

/** `sluice ddl list` for people: one line per change, then each one's statements and error. */
export function renderDecisions(sink: string, rows: DdlDecision[]): string {
  if (!rows.length) return `sink ${sink}: no refused DDL and no decisions recorded`;
  const out = [
    renderTable(
      [
        'ddl id',
        'target table',
        'action',
        'source table',
        'source position',
        'failed at',
        'decided by',
        'decided at',
        'applied at',
      ],
      rows.map((d) => [
        d.ddlId,
        `${d.targetDb}.${d.targetTable}`,
        d.action,
        d.sourceTable ?? '-',
        d.sourcePosition ?? '-',
        d.failedAt ?? '-',
        d.decidedBy ?? '-',
        d.decidedAt ?? '-',
        d.appliedAt ?? '-',
      ]),
    ),
  ];
  for (const d of rows) {
    out.push('', `${d.ddlId} (${d.action}) ${d.targetDb}.${d.targetTable}:`);
    for (const sql of d.statements) out.push(`  ${d.action === 'replace' ? 'runs' : 'refused'}: ${sql}`);
    if (d.error) out.push(`  target error: ${d.error}`);
  }
  return out.join('\n');
}
