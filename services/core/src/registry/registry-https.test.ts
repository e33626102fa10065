import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.ts';
import type { TlsSettings } from '../config/tls.ts';
import { SluiceError } from '../errors.ts';
import { CA_CERT, ELSEWHERE_CERT, OTHER_CA_CERT, SERVER_CERT, SERVER_KEY } from '../net/testing/certificates.ts';
import { Registry } from './schema-registry.ts';

/**
 * The registry client over HTTPS, against real local HTTPS servers (test certificates): the CA
 * and the modes decide what is trusted, credentials travel as basic auth, and every TLS failure
 * is TLS_FAILED naming schemaRegistry.tls.
 */
const auths: (string | undefined)[] = [];
const servers: Server[] = [];

async function serve(cert: string, opts: { clientCa?: string } = {}): Promise<string> {
  const server = createServer(
    {
      cert,
      key: SERVER_KEY,
      ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    },
    (req, res) => {
      auths.push(req.headers.authorization);
      const ok =
        !req.headers.authorization || req.headers.authorization === `Basic ${Buffer.from('reg:right').toString('base64')}`;
      res
        .writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
        .end(JSON.stringify(ok ? { compatibilityLevel: 'NONE' } : { error_code: 40101, message: 'Unauthorized' }));
    },
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/apis/ccompat/v7`;
}

let good: string;
let misnamed: string;
let mutual: string;
beforeAll(async () => {
  good = await serve(SERVER_CERT);
  misnamed = await serve(ELSEWHERE_CERT);
  mutual = await serve(SERVER_CERT, { clientCa: CA_CERT });
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

const tls = (t: Partial<TlsSettings>): TlsSettings => ({ mode: 'verify-full', ...t });
const ca = { path: '/ca.pem', text: CA_CERT };

async function failure(p: Promise<unknown>): Promise<SluiceError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SluiceError);
  return e as SluiceError;
}

describe('the registry over HTTPS', () => {
  it('trusts a server its CA signed, and sends username and password as basic auth', async () => {
    await new Registry({ url: good, username: 'reg', password: new Secret('right'), tls: tls({ ca }) }).probe();
    expect(auths.at(-1)).toBe(`Basic ${Buffer.from('reg:right').toString('base64')}`);
  });

  it('refuses a server no trusted CA signed: TLS_FAILED, not retriable, naming schemaRegistry.tls', async () => {
    for (const t of [undefined, tls({ ca: { path: '/other.pem', text: OTHER_CA_CERT } })]) {
      const e = await failure(new Registry({ url: good, tls: t }).probe());
      expect(e.code).toBe('TLS_FAILED');
      expect(e.retriable).toBe(false);
      expect(e.message).toContain("the server's certificate is not trusted");
      expect(e.message).toContain('schemaRegistry.tls.ca');
    }
  });

  it('verify-full checks the name, verify-ca does not, skip-verify checks nothing', async () => {
    const e = await failure(new Registry({ url: misnamed, tls: tls({ ca }) }).probe());
    expect(e.code).toBe('TLS_FAILED');
    expect(e.message).toContain('does not name the host connected to');
    await new Registry({ url: misnamed, tls: tls({ mode: 'verify-ca', ca }) }).probe();
    await new Registry({ url: good, tls: tls({ mode: 'skip-verify' }) }).probe();
  });

  it('presents the client certificate to a server that requires one', async () => {
    const key = { path: '/k', text: new Secret(SERVER_KEY) };
    await new Registry({ url: mutual, tls: tls({ ca, cert: { path: '/c', text: SERVER_CERT }, key }) }).probe();
    const e = await failure(new Registry({ url: mutual, tls: tls({ ca }) }).probe());
    expect(e.code).toBe('TLS_FAILED');
    expect(e.message).toContain('the server refused the client certificate (schemaRegistry.tls.cert and schemaRegistry.tls.key)');
  });

  it('wrong credentials are REGISTRY_MISCONFIGURED naming the settings, never the password', async () => {
    const e = await failure(
      new Registry({ url: good, username: 'reg', password: new Secret('wrong-pw'), tls: tls({ ca }) }).probe(),
    );
    expect(e.code).toBe('REGISTRY_MISCONFIGURED');
    expect(e.message).toContain('refused the credentials (401)');
    expect(e.message).toContain('schemaRegistry.username and password');
    expect(e.message).not.toContain('wrong-pw');
  });
});
