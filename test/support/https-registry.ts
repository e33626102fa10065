import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * The stack's schema registry (Apicurio, plain HTTP, no auth) behind a real HTTPS server with
 * basic auth: a reverse proxy, as a load balancer or an ingress puts one in front of a registry.
 * TLS with the given certificate (signed by the test CA); a request without the right
 * user:password gets 401 as a Confluent registry answers it; every other request goes to the
 * registry as it came (any path: the ccompat API and Apicurio's own), and its answer back.
 */
export interface HttpsRegistry {
  /** The ccompat API over HTTPS, without credentials. */
  url: string;
  /** Requests that reached the registry, and those refused for their credentials. */
  counts: { forwarded: number; refused: number };
  close(): Promise<void>;
}

export async function startHttpsRegistry(opts: {
  /** The registry behind it: http://host:port (the stack's). */
  upstream: string;
  cert: string;
  key: string;
  username: string;
  password: string;
}): Promise<HttpsRegistry> {
  const up = new URL(opts.upstream);
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const counts = { forwarded: 0, refused: 0 };
  const server: Server = createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
    if (req.headers.authorization !== expected) {
      counts.refused++;
      req.resume();
      res
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="registry"' })
        .end(JSON.stringify({ error_code: 40101, message: 'Unauthorized' }));
      return;
    }
    counts.forwarded++;
    const { authorization: _, host: __, ...headers } = req.headers;
    const out = httpRequest({ hostname: up.hostname, port: up.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/apis/ccompat/v7`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
