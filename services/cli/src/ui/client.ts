import type { StatusReport } from '../status/collect.ts';
import type { UiHistory } from './history.ts';
import { renderView, type ViewState } from './view.ts';

// The page's script, run in the browser (served by modules.ts): fetches the ui process's JSON and
// renders it with view.ts, again every sampling interval.

const app = document.getElementById('app') as HTMLElement;
const state: ViewState = { report: undefined, history: undefined };

async function json<T>(path: string): Promise<T | undefined> {
  const res = await fetch(path, { cache: 'no-store' });
  if (res.status === 503) return undefined; // nothing collected yet
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return (await res.json()) as T;
}

async function refresh(): Promise<void> {
  try {
    const [report, history] = await Promise.all([json<StatusReport>('/api/status'), json<UiHistory>('/api/history')]);
    state.report = report ?? state.report;
    state.history = history;
    state.fetchError = undefined;
  } catch (err) {
    state.fetchError = (err as Error).message;
  }
  app.innerHTML = renderView(state);
  setTimeout(refresh, state.history?.intervalMs ?? 2_000);
}

void refresh();
