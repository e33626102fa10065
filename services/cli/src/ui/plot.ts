import { esc } from './escape.ts';
import { secs } from './format.ts';
import type { FreshnessPoint } from './history.ts';

// Pure: served to the browser as well (see modules.ts).

const W = 240;
const H = 56;

/** Runs of consecutive known values: an unknown freshness (target unreadable) breaks the line. */
export function segments(points: FreshnessPoint[]): [number, number][][] {
  const out: [number, number][][] = [];
  let run: [number, number][] = [];
  for (const [t, v] of points) {
    if (v === null || !Number.isFinite(v)) {
      if (run.length) out.push(run);
      run = [];
    } else run.push([t, v]);
  }
  if (run.length) out.push(run);
  return out;
}

/**
 * Freshness as an SVG line plot: time from the first sample in the window (at most `windowMs`, at
 * least a minute before `nowMs`) on the left to `nowMs` on the right, seconds from 0 (bottom) to
 * the largest value seen, at least 1 s (top). One polyline per run of known values; a lone sample
 * is a dot.
 */
export function freshnessPlot(points: FreshnessPoint[], nowMs: number, windowMs: number, label: string): string {
  const shown = points.filter(([t]) => t >= nowMs - windowMs && t <= nowMs);
  const span = Math.min(windowMs, Math.max(60_000, nowMs - (shown[0]?.[0] ?? nowMs)));
  const from = nowMs - span;
  const runs = segments(shown);
  const top = Math.max(1, ...runs.flat().map(([, v]) => v));
  const x = (t: number) => (((t - from) / span) * W).toFixed(1);
  const y = (v: number) => (H - (Math.min(v, top) / top) * H).toFixed(1);
  const lines = runs.map((run) =>
    run.length === 1
      ? `<circle class="dot" cx="${x((run[0] as [number, number])[0])}" cy="${y((run[0] as [number, number])[1])}" r="1.5"></circle>`
      : `<polyline class="line" points="${run.map(([t, v]) => `${x(t)},${y(v)}`).join(' ')}"></polyline>`,
  );
  const ago = span >= 120_000 ? `-${Math.round(span / 60_000)} min` : `-${Math.round(span / 1000)} s`;
  return (
    `<svg class="plot" viewBox="0 -12 ${W} ${H + 24}" width="${W}" height="${H + 24}" role="img" aria-label="${esc(label)}">` +
    `<title>${esc(label)}</title>` +
    `<line class="axis" x1="0" y1="${H}" x2="${W}" y2="${H}"></line>` +
    `<line class="grid" x1="0" y1="0" x2="${W}" y2="0"></line>` +
    `<text class="tick" x="0" y="-3">${esc(secs(top))}</text>` +
    `<text class="tick" x="0" y="${H + 11}">${ago}</text>` +
    `<text class="tick end" x="${W}" y="${H + 11}">now</text>` +
    lines.join('') +
    (runs.length ? '' : `<text class="tick mid" x="${W / 2}" y="${H / 2}">no samples yet</text>`) +
    '</svg>'
  );
}
