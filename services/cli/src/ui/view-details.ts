import type { StatusReport } from '../status/collect.ts';
import { behind } from '../status/offsets.ts';
import { esc } from './escape.ts';
import { num } from './format.ts';

// Pure: served to the browser as well (see modules.ts). What the picture has no room for.

type Sink = StatusReport['sinks'][number];

/** A table with a header row; each row's cells are [field name, text]; the row is tagged with its sink. */
function table(headers: string[], rows: { sink: string; cells: [string, string][] }[]): string {
  return (
    `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows
      .map(
        (r) =>
          `<tr data-sink="${esc(r.sink)}">${r.cells.map(([f, v]) => `<td data-field="${esc(f)}">${esc(v)}</td>`).join('')}</tr>`,
      )
      .join('') +
    '</tbody></table>'
  );
}

const section = (id: string, title: string, body: string) =>
  `<section class="details" data-section="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;

/** Every part in error, with its reason (the same verdicts `sluice status` exits 1 for). */
export function problems(r: StatusReport): { part: string; state: string; reason: string }[] {
  const out: { part: string; state: string; reason: string }[] = [];
  if (r.source && 'error' in r.source) out.push({ part: 'source', state: 'error', reason: r.source.error });
  for (const c of r.captures) if (c.error) out.push({ part: `capture ${c.id}`, state: c.state, reason: c.reason });
  for (const s of r.sinks) {
    if (s.error) out.push({ part: `sink ${s.group.name}`, state: s.state, reason: s.reason });
    if (s.freshnessError) out.push({ part: `target of ${s.group.name}`, state: 'unreadable', reason: s.freshnessError });
  }
  return out;
}

function problemsSection(r: StatusReport): string {
  const all = problems(r);
  const body = all.length
    ? `<ul class="problems">${all.map((p) => `<li><b>${esc(p.part)}</b> <span class="state bad">${esc(p.state)}</span>: ${esc(p.reason)}</li>`).join('')}</ul>`
    : '<p class="ok">no part in error</p>';
  return section('problems', 'Errors', body);
}

function stopsSection(sinks: Sink[]): string {
  const rows = sinks.flatMap((s) =>
    s.stop
      ? [
          {
            sink: s.group.name,
            cells: [
              ['sink', s.group.name],
              ['code', s.stop.code],
              [
                'where',
                s.stop.topic
                  ? `${s.stop.topic}[${s.stop.partition}]${s.stop.offset === null ? '' : ` offset ${s.stop.offset}`}`
                  : '-',
              ],
              ['at', s.stop.at],
              ['message', s.stop.message],
            ] as [string, string][],
          },
        ]
      : [],
  );
  return section(
    'stops',
    'Stop reasons',
    rows.length
      ? table(['sink', 'code', 'stopped at record', 'when', 'message'], rows)
      : '<p class="ok">no sink stopped on an error</p>',
  );
}

function deadLettersSection(sinks: Sink[]): string {
  const rows = sinks.flatMap((s) =>
    s.deadLetters
      ? [
          {
            sink: s.group.name,
            cells: [
              ['sink', s.group.name],
              ['count', num(s.deadLetters.count)],
              ['last-error', s.deadLetters.lastError ?? '-'],
            ] as [string, string][],
          },
        ]
      : [],
  );
  return section(
    'dead-letters',
    'Dead letters',
    rows.length ? table(['sink', 'records', 'newest reason'], rows) : '<p class="ok">none (no sink has a dead-letter topic)</p>',
  );
}

function ddlSection(sinks: Sink[]): string {
  const rows = sinks.flatMap((s) =>
    (s.ddlPending ?? []).map((d) => ({
      sink: s.group.name,
      cells: [
        ['sink', s.group.name],
        ['kind', d.kind === 'held' ? 'shard held' : 'refused, pending'],
        ['ddl-id', d.ddlId],
        ['table', d.table],
        ['source', `${d.sourceTable ?? '?'} at ${d.sourcePosition ?? '?'}`],
        ['error', d.error ?? ''],
      ] as [string, string][],
    })),
  );
  return rows.length
    ? section('ddl', 'Pending DDL', table(['sink', 'kind', 'DDL id', 'target table', 'source', 'error'], rows))
    : section('ddl', 'Pending DDL', '<p class="ok">none</p>');
}

function verifySection(sinks: Sink[]): string {
  const rows = sinks.flatMap((s) =>
    s.verify
      ? [
          {
            sink: s.group.name,
            cells: [
              ['sink', s.group.name],
              ['at', s.verify.at],
              ['tables', num(s.verify.tables)],
              [
                'different',
                s.verify.different.length
                  ? s.verify.different
                      .map((d) => `${d.table} (${d.status === 'missing' ? 'table missing' : `${d.rows} rows`})`)
                      .join(', ')
                  : 'none',
              ],
            ] as [string, string][],
          },
        ]
      : [],
  );
  return section(
    'verify',
    'Last verify',
    rows.length
      ? table(['sink', 'when', 'tables', 'different'], rows)
      : '<p>no verify result (run <code>sluice verify --follow</code> beside a sink)</p>',
  );
}

function behindSection(sinks: Sink[]): string {
  const parts = sinks
    .filter((s) => s.group.exists && behind(s.group).length)
    .map((s) => {
      const todo = behind(s.group).sort((a, b) => b.lag - a.lag);
      const rows = todo.slice(0, 10).map((p) => ({
        sink: s.group.name,
        cells: [
          ['topic', p.topic],
          ['partition', String(p.partition)],
          ['committed', p.committed < 0 ? 'none' : num(p.committed)],
          ['end', num(p.high)],
          ['lag', num(p.lag)],
        ] as [string, string][],
      }));
      return `<h3>${esc(s.group.name)}${todo.length > 10 ? ' (10 largest)' : ''}</h3>${table(['topic', 'partition', 'committed', 'end offset', 'lag (offsets)'], rows)}`;
    });
  return parts.length ? section('behind', 'Partitions behind', parts.join('')) : '';
}

/** Errors, stop reasons, dead letters, pending DDL, the last verify, partitions behind and notes. */
export function renderDetails(r: StatusReport): string {
  return (
    problemsSection(r) +
    stopsSection(r.sinks) +
    deadLettersSection(r.sinks) +
    ddlSection(r.sinks) +
    verifySection(r.sinks) +
    behindSection(r.sinks) +
    (r.notes.length ? section('notes', 'Notes', `<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`) : '')
  );
}
