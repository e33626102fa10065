import type { StatusReport } from '../status/collect.ts';
import { esc } from './escape.ts';
import type { UiHistory } from './history.ts';
import { problems, renderDetails } from './view-details.ts';
import { renderPipeline } from './view-pipeline.ts';

// Pure: served to the browser as well (see modules.ts); the page renders with it on every refresh.

export interface ViewState {
  /** The last status report (`/api/status`), if one was collected. */
  report: StatusReport | undefined;
  history: UiHistory | undefined;
  /** Why the page could not fetch (the ui process gone, a network error). */
  fetchError?: string;
}

function header(r: StatusReport | undefined, h: UiHistory | undefined): string {
  if (!r) return '<header><h1>sluice</h1><p class="muted">collecting the first status…</p></header>';
  const n = problems(r).length;
  const overall = n
    ? `<span class="state bad" data-field="overall">${n} ${n === 1 ? 'part' : 'parts'} in error</span>`
    : '<span class="state ok" data-field="overall">healthy</span>';
  const every = h ? ` · refreshed every ${Math.round(h.intervalMs / 1000)} s` : '';
  return (
    `<header><h1>sluice <span class="name" data-field="prefix">${esc(r.prefix)}</span> ${overall}</h1>` +
    `<p class="muted">status at <time data-field="at" datetime="${esc(r.at)}">${esc(r.at)}</time>${esc(every)}</p></header>`
  );
}

function banners(s: ViewState): string {
  const out: string[] = [];
  if (s.fetchError)
    out.push(`<div class="banner" data-field="fetch-error">cannot reach the ui process: ${esc(s.fetchError)}</div>`);
  const e = s.history?.lastError;
  if (e) {
    const shown = s.report ? ` (showing the status of ${s.report.at})` : '';
    out.push(
      `<div class="banner" data-field="collect-error">status failed at ${esc(e.at)}${esc(shown)}: ${esc(e.message)}</div>`,
    );
  }
  return out.join('');
}

/** The whole page body from the last report and the freshness history. */
export function renderView(s: ViewState): string {
  const r = s.report;
  return (
    `<div class="view" data-at="${esc(r?.at ?? '')}">` +
    header(r, s.history) +
    banners(s) +
    (r ? renderPipeline(r, s.history) + renderDetails(r) : '') +
    '</div>'
  );
}
