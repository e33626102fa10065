import { collectDefaultMetrics, Registry as MetricsRegistry } from 'prom-client';

export { Counter, Gauge, Histogram } from 'prom-client';

/** One Prometheus registry per process, with Node's own metrics (memory, event loop lag). */
export function createMetricsRegistry(service: string): MetricsRegistry {
  const registry = new MetricsRegistry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export type { MetricsRegistry };
