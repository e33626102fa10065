import { Agent as HttpAgent, request as httpRequestFn } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequestFn } from 'node:https';
import type { TlsSettings } from '../config/tls.ts';
import { nodeTlsOptions } from './tls-options.ts';

/** An HTTP answer: its status and its body as text. */
export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * A connection pool for one server: HTTPS with the config's TLS (CA, verification mode, client
 * certificate) when given, else Node's defaults (the system's CAs, verify-full). Connections are
 * kept alive, as fetch keeps them.
 */
export function httpAgent(url: string, tls?: TlsSettings): HttpAgent {
  if (new URL(url).protocol === 'https:') return new HttpsAgent({ keepAlive: true, ...(tls ? nodeTlsOptions(tls) : {}) });
  return new HttpAgent({ keepAlive: true });
}

/**
 * One request with node:http(s) (fetch takes no CA or client certificate). Rejects with Node's
 * own error (its `code`: ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN...) when no answer came,
 * ETIMEDOUT after timeoutMs.
 */
export function httpRequest(
  url: string,
  opts: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number; agent: HttpAgent },
): Promise<HttpAnswer> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequestFn : httpRequestFn;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: opts.method,
        headers: {
          ...opts.headers,
          ...(opts.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(opts.body)) }),
        },
        agent: opts.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs, () =>
      req.destroy(Object.assign(new Error(`no answer within ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
