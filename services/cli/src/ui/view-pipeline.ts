import type { StatusReport } from '../status/collect.ts';
import { behind, toApply } from '../status/offsets.ts';
import { esc } from './escape.ts';
import { binlogPosition, num, secs } from './format.ts';
import type { UiHistory } from './history.ts';
import { freshnessPlot } from './plot.ts';

// Pure: served to the browser as well (see modules.ts). The picture: source → capture → topics → sinks → targets.

type Capture = StatusReport['captures'][number];
type Sink = StatusReport['sinks'][number];

const field = (name: string, label: string, value: string) =>
  `<div class="kv"><span class="k">${esc(label)}</span> <span class="v" data-field="${esc(name)}">${esc(value)}</span></div>`;

const state = (s: string, error: boolean) => `<span class="state ${error ? 'bad' : 'ok'}" data-field="state">${esc(s)}</span>`;

const arrow = '<div class="arrow" aria-hidden="true">→</div>';

function sourceBox(r: StatusReport): string {
  const s = r.source;
  const body =
    s === null
      ? field('position', 'position', 'unknown (no source given)')
      : 'error' in s
        ? `<div class="reason bad" data-field="error">${esc(s.error)}</div>`
        : field('position', 'binlog', s.position) + (s.gtid ? field('gtid', 'gtid', s.gtid) : '');
  const bad = s !== null && 'error' in s;
  return `<div class="box${bad ? ' error' : ''}" data-part="source"><h3>source</h3>${body}</div>`;
}

function captureBox(c: Capture): string {
  const snap = c.checkpoint?.snapshot;
  return (
    `<div class="box${c.error ? ' error' : ''}" data-part="capture" data-id="${esc(c.id)}">` +
    `<h3>capture <span class="name">${esc(c.id)}</span> ${state(c.state, c.error)}</h3>` +
    field('checkpoint', 'checkpoint', c.checkpoint ? binlogPosition(c.checkpoint.file, c.checkpoint.pos) : '-') +
    field('lag-bytes', 'lag bytes', num(c.lag?.bytes)) +
    field('lag-seconds', 'lag', secs(c.lag?.seconds)) +
    (c.process ? field('events', 'events/s', num(Math.round(c.process.eventsPerSecond))) : '') +
    (snap ? field('snapshot', 'snapshot', `${snap.table ?? '-'}: ${snap.rows} rows, ${snap.tablesDone} tables done`) : '') +
    (c.reason ? `<div class="reason${c.error ? ' bad' : ''}" data-field="reason">${esc(c.reason)}</div>` : '') +
    '</div>'
  );
}

/** The table topics and partitions the sink groups read (what Kafka holds for them). */
function topicsBox(r: StatusReport): string {
  const parts = new Set<string>();
  const topics = new Set<string>();
  for (const s of r.sinks) {
    for (const p of s.group.partitions) {
      if (p.heartbeat) continue;
      topics.add(p.topic);
      parts.add(`${p.topic}\u0000${p.partition}`);
    }
  }
  return (
    '<div class="box" data-part="topics">' +
    `<h3>Kafka <span class="name">${esc(r.prefix)}.*</span></h3>` +
    field('topics', 'table topics', r.sinks.length ? num(topics.size) : '-') +
    field('partitions', 'partitions', r.sinks.length ? num(parts.size) : '-') +
    '</div>'
  );
}

/** Committed and end offsets summed over the sink's table partitions (heartbeats left out). */
export function offsetTotals(s: Sink): { committed: number; end: number } {
  let committed = 0;
  let end = 0;
  for (const p of s.group.partitions) {
    if (p.heartbeat) continue;
    if (p.committed >= 0) committed += p.committed;
    end += p.high;
  }
  return { committed, end };
}

function sinkBox(s: Sink): string {
  const g = s.group;
  const totals = offsetTotals(s);
  return (
    `<div class="box${s.error ? ' error' : ''}" data-part="sink" data-sink="${esc(g.name)}">` +
    `<h3>sink <span class="name">${esc(g.name)}</span> ${state(s.state, s.error)}</h3>` +
    field('members', 'members', num(g.members.length)) +
    field('lag', 'offsets to apply', num(toApply(g))) +
    field('behind', 'partitions behind', `${num(behind(g).length)} of ${num(g.partitions.filter((p) => !p.heartbeat).length)}`) +
    field('committed', 'committed', num(totals.committed)) +
    field('end', 'end offsets', num(totals.end)) +
    field('dead-letters', 'dead letters', num(s.deadLetters?.count ?? 0)) +
    (s.reason ? `<div class="reason${s.error ? ' bad' : ''}" data-field="reason">${esc(s.reason)}</div>` : '') +
    '</div>'
  );
}

function targetBox(s: Sink, h: UiHistory | undefined): string {
  const name = s.group.name;
  const points = h?.freshness.find((f) => f.sink === name)?.points ?? [];
  const freshness = s.freshnessError ? 'error' : secs(s.freshnessSeconds);
  const pending = s.ddlPending?.filter((d) => d.kind === 'pending').length ?? 0;
  const verify = s.verify
    ? s.verify.different.length
      ? `${s.verify.different.length} of ${s.verify.tables} tables differ`
      : `${s.verify.tables} tables equal`
    : '-';
  return (
    `<div class="box${s.freshnessError ? ' error' : ''}" data-part="target" data-sink="${esc(name)}">` +
    `<h3>target of <span class="name">${esc(name)}</span></h3>` +
    field('freshness', 'freshness', freshness) +
    (s.freshnessError ? `<div class="reason bad" data-field="freshness-error">${esc(s.freshnessError)}</div>` : '') +
    (pending ? field('ddl-pending', 'DDL pending', num(pending)) : '') +
    field('verify', 'last verify', verify) +
    (h
      ? freshnessPlot(
          points,
          h.now,
          h.windowMs,
          `freshness of the target of ${name}, last ${Math.round(h.windowMs / 60_000)} min`,
        )
      : '') +
    '</div>'
  );
}

/** The pipeline as a picture: one column per stage, a row per sink and its target. */
export function renderPipeline(r: StatusReport, h: UiHistory | undefined): string {
  const captures = r.captures.length ? r.captures.map(captureBox).join('') : '<div class="box empty">no capture checkpoint</div>';
  const sinks = r.sinks.length
    ? r.sinks.map((s) => `<div class="sink-row">${sinkBox(s)}${arrow}${targetBox(s, h)}</div>`).join('')
    : '<div class="box empty">no sink group</div>';
  return (
    '<section class="flow" aria-label="pipeline">' +
    `<div class="stage">${sourceBox(r)}</div>${arrow}` +
    `<div class="stage">${captures}</div>${arrow}` +
    `<div class="stage">${topicsBox(r)}</div>${arrow}` +
    `<div class="stage sinks">${sinks}</div>` +
    '</section>'
  );
}
