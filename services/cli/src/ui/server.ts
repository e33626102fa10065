import { createServer, type Server, type ServerResponse } from 'node:http';
import { redactUrlsIn } from '@sluice/core';
import { browserModule } from './modules.ts';
import { CONTENT_SECURITY_POLICY, PAGE } from './page.ts';
import type { Sampler } from './sampler.ts';
import { STYLE } from './style.ts';

/**
 * JSON with every string passed through the URL redaction once more: status already prints URLs
 * without their passwords; a password in a message from elsewhere (a service's error text) does
 * not reach the page either. Otherwise the same document `sluice status --json` prints.
 */
export const redactedJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? redactUrlsIn(v) : v), 2);

function send(res: ServerResponse, { status, type, body }: Answer, head: boolean): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': CONTENT_SECURITY_POLICY,
  });
  res.end(head ? undefined : body);
}

interface Answer {
  status: number;
  type: string;
  body: string;
}

const TEXT = 'text/plain; charset=utf-8';

/** The page, its stylesheet and modules, `/api/status` (the status report) and `/api/history` (freshness samples). */
export function route(sampler: Sampler, method: string, path: string): Answer {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, type: TEXT, body: 'GET only\n' };
  if (path === '/' || path === '/index.html') return { status: 200, type: 'text/html; charset=utf-8', body: PAGE };
  if (path === '/style.css') return { status: 200, type: 'text/css; charset=utf-8', body: STYLE };
  if (path === '/favicon.ico') return { status: 204, type: TEXT, body: '' };
  if (path === '/api/status') {
    return sampler.latest
      ? { status: 200, type: 'application/json', body: redactedJson(sampler.latest) }
      : {
          status: 503,
          type: 'application/json',
          body: redactedJson({ error: 'no status collected yet', lastError: sampler.lastError }),
        };
  }
  if (path === '/api/history') return { status: 200, type: 'application/json', body: redactedJson(sampler.snapshot()) };
  const js = path.startsWith('/js/') ? browserModule(path.slice('/js/'.length)) : undefined;
  if (js !== undefined) return { status: 200, type: 'text/javascript; charset=utf-8', body: js };
  return { status: 404, type: TEXT, body: 'not found\n' };
}

/** Listens on host:port (0: any free port); resolves with the server once it listens. */
export function serve(sampler: Sampler, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    let answer: Answer;
    try {
      answer = route(sampler, req.method ?? 'GET', new URL(req.url ?? '/', 'http://ui').pathname);
    } catch (err) {
      answer = { status: 500, type: TEXT, body: `${redactUrlsIn((err as Error).message)}\n` };
    }
    send(res, answer, req.method === 'HEAD');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
