import { Counter, Gauge, type MetricsRegistry } from '../http/metrics.ts';
import type { ProgressMonitor } from './progress.ts';

/**
 * `sluice_<service>_disconnected_seconds_total{component}` (time a component was unreachable, the
 * current outage included) and `sluice_<service>_disconnected{component}` (1 while it is, grace
 * period or not), read from the monitor at each scrape.
 */
export function registerProgressMetrics(registry: MetricsRegistry, service: string, progress: ProgressMonitor): void {
  new Counter({
    name: `sluice_${service}_disconnected_seconds_total`,
    help: 'time a component (kafka, target, registry, source) could not be reached, from its first failed operation to its next success',
    labelNames: ['component'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of progress.components()) this.inc({ component: c }, progress.disconnectedMs(c) / 1000);
    },
  });
  new Gauge({
    name: `sluice_${service}_disconnected`,
    help: '1 while a component (kafka, target, registry, source) cannot be reached, 0 once an operation with it succeeds',
    labelNames: ['component'],
    registers: [registry],
    collect() {
      for (const c of progress.components()) this.set({ component: c }, progress.disconnected(c) ? 1 : 0);
    },
  });
}
