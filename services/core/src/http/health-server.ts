import { createServer, type Server } from 'node:http';
import type { MetricsRegistry } from './metrics.ts';

/**
 * /metrics serves Prometheus metrics. /healthz answers 200 while the process runs; /readyz answers 200 once `ready()` says so and
 * 503 with the reason otherwise. The stack scripts and orchestrators poll these.
 */
export function startHealthServer(opts: {
  host: string;
  port: number;
  ready: () => { ok: boolean; reason?: string };
  metrics?: MetricsRegistry;
}): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics' && opts.metrics) {
      const m = opts.metrics;
      m.metrics().then(
        (text) => res.writeHead(200, { 'content-type': m.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (req.url === '/readyz') {
      const r = opts.ready();
      res.writeHead(r.ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${r.ok ? 'ready' : (r.reason ?? 'not ready')}\n`);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve(server));
  });
}
