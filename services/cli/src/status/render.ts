import { TSO_FILE, Tso } from '@sluice/core';
import { count, renderTable } from '../output/table.ts';
import type { StatusReport } from './collect.ts';
import { behind, toApply } from './health.ts';

const secs = (s: number | null | undefined) =>
  s === null || s === undefined ? '-' : `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;

/** The human form of a status report. */
export function renderStatus(r: StatusReport): string {
  const out: string[] = [];
  const src =
    r.source === null
      ? 'unknown'
      : 'error' in r.source
        ? `error: ${r.source.error}`
        : `${r.source.position}${r.source.gtid ? ` (gtid ${r.source.gtid})` : ''}`;
  out.push(`source: ${src}`, '');
  out.push(`capture (checkpoints on ${r.prefix}._checkpoints)`);
  out.push(
    renderTable(
      ['id', 'state', 'checkpoint', 'lag bytes', 'lag', 'events/s', 'note'],
      r.captures.map((c) => [
        c.id,
        c.error ? `${c.state} !` : c.state,
        c.checkpoint ? checkpointText(c.checkpoint) : '-',
        c.lag?.bytes === null || c.lag?.bytes === undefined ? '-' : count(c.lag.bytes),
        secs(c.lag?.seconds),
        c.process ? count(Math.round(c.process.eventsPerSecond)) : '-',
        c.reason,
      ]),
    ),
  );
  out.push('', 'sink groups');
  out.push(
    renderTable(
      ['sink', 'state', 'members', 'partitions', 'behind', 'lag (offsets)', 'target freshness', 'dead letters', 'note'],
      r.sinks.map((s) => [
        s.group.name,
        s.error ? `${s.state} !` : s.state,
        String(s.group.members.length),
        String(s.group.partitions.length),
        String(behind(s.group).length),
        count(toApply(s.group)),
        s.freshnessError ? 'error' : secs(s.freshnessSeconds),
        count(s.deadLetters?.count ?? 0),
        s.reason || s.freshnessError || '',
      ]),
    ),
  );
  for (const s of r.sinks) {
    for (const d of s.ddlPending ?? []) {
      const what = d.kind === 'held' ? 'shard held at' : 'stopped at';
      out.push(
        '',
        `${s.group.name}: ${what} DDL ${d.ddlId} of ${d.table} (source ${d.sourceTable ?? '?'} at ${d.sourcePosition ?? '?'}): ${d.error ?? ''}`,
      );
    }
  }
  for (const s of r.sinks) {
    if (s.deadLetters?.lastError) out.push('', `${s.group.name}: last dead letter: ${s.deadLetters.lastError}`);
  }
  for (const s of r.sinks) {
    const todo = behind(s.group).sort((a, b) => b.lag - a.lag);
    if (!todo.length || !s.group.exists) continue;
    out.push('', `${s.group.name}: partitions behind${todo.length > 10 ? ' (10 largest)' : ''}`);
    out.push(
      renderTable(
        ['topic', 'partition', 'committed', 'end offset', 'lag (offsets)'],
        todo
          .slice(0, 10)
          .map((p) => [p.topic, String(p.partition), p.committed < 0 ? 'none' : count(p.committed), count(p.high), count(p.lag)]),
      ),
    );
  }
  if (r.notes.length) out.push('', ...r.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

/** A checkpoint's position: file:pos, or for a TiDB query capture its read point as a time. */
export function checkpointText(c: { file: string; pos: number | string }): string {
  if (c.file !== TSO_FILE) return `${c.file}:${c.pos}`;
  const ms = Number(c.pos);
  return `TiDB read point ${new Date(ms).toISOString()} (tso ${Tso.ofMs(ms)})`;
}
