import { readFileSync } from 'node:fs';
import { createMetricsRegistry, type MetricsRegistry, ProgressMonitor, registerProgressMetrics } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { CaptureMetrics } from '../../services/capture/src/observe/capture-metrics.ts';
import { followMetrics } from '../../services/cli/src/verify/follow.ts';
import { SinkMetrics } from '../../services/sink/src/observe/sink-metrics.ts';

/** deploy/grafana/sluice.json uses only metrics the services export, with the right types. */
const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/sluice.json', import.meta.url), 'utf8')) as {
  panels: { id: number; title: string; targets: { expr: string; refId: string }[]; gridPos: object }[];
};

async function exported(): Promise<Map<string, string>> {
  const registries: MetricsRegistry[] = [];
  const capture = createMetricsRegistry('capture');
  new CaptureMetrics(capture);
  registerProgressMetrics(capture, 'capture', new ProgressMonitor({ graceMs: 5000 }));
  const sink = createMetricsRegistry('sink');
  new SinkMetrics(sink);
  registerProgressMetrics(sink, 'sink', new ProgressMonitor({ graceMs: 5000 }));
  registries.push(capture, sink, followMetrics().registry);
  const out = new Map<string, string>();
  for (const r of registries) for (const m of await r.getMetricsAsJSON()) out.set(m.name, String(m.type));
  return out;
}

describe('Grafana dashboard', () => {
  it('uses only metrics the capture, the sinks and verify --follow export', async () => {
    const metrics = await exported();
    const used = new Set<string>();
    for (const p of dashboard.panels)
      for (const t of p.targets) for (const m of t.expr.match(/\bsluice_[a-z0-9_]+/g) ?? []) used.add(m);
    expect(used.size).toBeGreaterThan(15);
    for (const name of used) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      if (base !== name && metrics.get(base) === 'histogram') continue;
      expect(metrics.has(name), `${name} is not exported by any service`).toBe(true);
    }
  });

  it('shows freshness per target, rows/s, backpressure, retries, dead letters and verify results', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const m of [
      'sluice_sink_lag_seconds',
      'sluice_capture_rows_total',
      'sluice_sink_rows_total',
      'sluice_capture_queue_bytes',
      'sluice_capture_binlog_paused',
      'sluice_sink_retries_total',
      'sluice_sink_dead_letters_total',
      'sluice_verify_rows_different',
    ]) {
      expect(exprs).toContain(m);
    }
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
