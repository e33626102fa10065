import { count, duration, renderTable } from '../output/table.ts';
import { printable } from './key-range.ts';
import type { RowDiff } from './row-diff.ts';
import type { TableResult, VerifyRun } from './run-verify.ts';

const LABEL: Record<RowDiff['kind'], string> = {
  missing: 'missing in target',
  extra: 'extra in target',
  changed: 'different',
};

const keyText = (key: string[], d: RowDiff) => key.map((k, i) => `${k}=${printable(d.key[i])}`).join(', ');

/** The human report: differing rows per table (up to `maxRows` each), then a summary table. */
export function renderReport(run: VerifyRun, maxRows: number): string {
  const out: string[] = [];
  for (const t of run.tables) {
    if (!t.diffs.length && !t.notes.length) continue;
    out.push(`${name(t.source)} -> ${name(t.target)}`);
    for (const n of t.notes) out.push(`  note: ${n}`);
    for (const sl of t.slices ?? []) out.push(`  slice differs    [${sl.from}, ${sl.to}): ${count(sl.rows)} rows`);
    for (const d of t.diffs.slice(0, maxRows)) {
      const cols = d.kind === 'changed' && d.columns?.length ? ` (columns: ${d.columns.join(', ')})` : '';
      out.push(`  ${LABEL[d.kind].padEnd(17)} ${keyText(t.key, d)}${cols}`);
    }
    if (t.diffs.length > maxRows) out.push(`  … ${t.diffs.length - maxRows} more (--json lists all)`);
    if (t.truncated) out.push('  listing stopped at --max-diff-rows; more rows may differ');
    out.push('');
  }
  const rows = run.tables.map((t) => [
    name(t.source),
    name(t.target) === name(t.source) ? '' : name(t.target),
    t.status,
    count(t.sourceRows),
    count(t.targetRows),
    `${t.differentChunks}/${t.chunks}`,
    t.status === 'missing'
      ? count(t.sourceRows)
      : t.status === 'different'
        ? `${count(t.diffs.length)}${t.truncated ? '+' : ''}`
        : '-',
    duration(t.ms),
  ]);
  out.push(
    renderTable(['table', 'target', 'status', 'source rows', 'target rows', 'ranges differ', 'rows differ', 'time'], rows),
  );
  const total = run.tables.reduce((n, t) => n + t.sourceRows, 0);
  const rate = run.ms > 0 ? Math.round((total / run.ms) * 1000) : 0;
  const differ = run.tables.filter((t) => t.status === 'different' || t.status === 'missing').length;
  out.push('');
  for (const n of run.notes) out.push(`note: ${n}`);
  out.push(
    `${run.tables.length} tables, ${differ} differ; ${count(total)} source rows in ${duration(run.ms)} (${count(rate)} rows/s); source position at start ${run.start.gtid ?? run.start.position.toString()}`,
  );
  return out.join('\n');
}

/** The machine report (`--json`): everything, row keys as their client values. */
export function jsonReport(run: VerifyRun, fix: string[] | undefined, applied: number | undefined): unknown {
  return {
    equal: run.tables.every((t) => t.status === 'equal' || t.status === 'skipped'),
    startPosition: { file: run.start.position.file, pos: run.start.position.pos, gtid: run.start.gtid },
    ms: run.ms,
    notes: run.notes,
    tables: run.tables.map((t: TableResult) => ({
      source: name(t.source),
      target: name(t.target),
      status: t.status,
      sourceRows: t.sourceRows,
      targetRows: t.targetRows,
      ranges: t.chunks,
      differentRanges: t.differentChunks,
      truncated: t.truncated,
      notes: t.notes,
      ...(t.definition?.differences.length ? { definition: t.definition } : {}),
      ...(t.slices ? { slices: t.slices } : {}),
      ms: t.ms,
      rows: t.diffs.map((d) => ({
        kind: d.kind,
        key: Object.fromEntries(t.key.map((k, i) => [k, jsonValue(d.key[i])])),
        ...(d.columns ? { columns: d.columns } : {}),
      })),
    })),
    ...(fix ? { fix } : {}),
    ...(applied !== undefined ? { applied } : {}),
  };
}

const jsonValue = (v: unknown) => (Buffer.isBuffer(v) ? { hex: v.toString('hex') } : v);

const name = (t: { database: string; table: string }) => `${t.database}.${t.table}`;
