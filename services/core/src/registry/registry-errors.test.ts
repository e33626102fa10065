import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../errors.ts';
import { Registry } from './schema-registry.ts';

/**
 * The registry port's failures, against a tiny local HTTP server that answers as a registry
 * would (the real registry's behaviour is tested in test/integration/registry-compatibility).
 */
type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.writeHead(500).end();
const seen: { method: string; url: string; body: string; auth: string | undefined; type: string | undefined }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({
        method: String(req.method),
        url: String(req.url),
        body,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
      });
      handler(Object.assign(req, { body }), res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const SCHEMA = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] };

async function failure(p: Promise<unknown>): Promise<SluiceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SluiceError);
  return err as SluiceError;
}

describe('registry errors', () => {
  it('an unreachable registry is REGISTRY_UNAVAILABLE, retriable, naming the table and path but no password', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const registry = new Registry(`http://user:s3cret@127.0.0.1:${port}/apis/ccompat/v7`);
    const e = await failure(registry.register('p.d.t-value', SCHEMA, { table: 'd.t' }));
    expect(e.code).toBe('REGISTRY_UNAVAILABLE');
    expect(e.retriable).toBe(true);
    expect(e.message).toContain('d.t');
    expect(e.message).toContain('/apis/ccompat/v7/subjects/p.d.t-value/versions');
    expect(e.message).not.toContain('s3cret');
  });

  it('a 5xx is REGISTRY_UNAVAILABLE, retriable', async () => {
    handler = (_req, res) => json(res, 503, { error_code: 50003, message: 'storage down' });
    const e = await failure(new Registry(base).register('s-value', SCHEMA, { table: 'd.t' }));
    expect(e.code).toBe('REGISTRY_UNAVAILABLE');
    expect(e.retriable).toBe(true);
    expect(e.message).toContain('storage down');
    expect(e.message).not.toContain('[object Object]');
  });

  it('a 404 on the API itself is REGISTRY_MISCONFIGURED, naming schemaRegistry.url and the path', async () => {
    handler = (_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not Found</html>');
    const e = await failure(new Registry(`${base}/wrong`).register('s-value', SCHEMA, { table: 'd.t' }));
    expect(e.code).toBe('REGISTRY_MISCONFIGURED');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain('schemaRegistry.url');
    expect(e.message).toContain('/wrong/subjects/s-value/versions');
    expect(e.message).toContain('d.t');
  });

  it('refused credentials are REGISTRY_MISCONFIGURED; credentials in the URL travel as basic auth', async () => {
    seen.length = 0;
    handler = (_req, res) => json(res, 401, { error_code: 401, message: 'Unauthorized' });
    const url = new URL(base);
    url.username = 'me';
    url.password = 'pw';
    const e = await failure(new Registry(url.toString()).register('s-value', SCHEMA));
    expect(e.code).toBe('REGISTRY_MISCONFIGURED');
    expect(e.message).not.toContain('pw');
    expect(seen[0]?.auth).toBe(`Basic ${Buffer.from('me:pw').toString('base64')}`);
  });

  it('a 409 is SCHEMA_INCOMPATIBLE, naming the table, the subject and the setting', async () => {
    handler = (req, res) =>
      req.method === 'PUT'
        ? json(res, 200, { compatibility: 'BACKWARD' })
        : json(res, 409, { error_code: 409, message: 'Schema being registered is incompatible with an earlier schema' });
    const e = await failure(new Registry(base).register('s-value', SCHEMA, { table: 'd.t', compatibility: 'BACKWARD' }));
    expect(e.code).toBe('SCHEMA_INCOMPATIBLE');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain('d.t');
    expect(e.message).toContain('s-value');
    expect(e.message).toContain('schemaRegistry.compatibility');
    expect(e.message).toContain('BACKWARD');
  });

  it('a 422 is SCHEMA_INVALID, naming the table', async () => {
    handler = (_req, res) => json(res, 422, { error_code: 42201, message: 'Invalid schema' });
    const e = await failure(new Registry(base).register('s-value', SCHEMA, { table: 'd.t' }));
    expect(e.code).toBe('SCHEMA_INVALID');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain('d.t');
    expect(e.message).toContain('Invalid schema');
  });

  it('an unknown schema id is DECODE_FAILED for that record; a wrong path is REGISTRY_MISCONFIGURED', async () => {
    handler = (_req, res) => json(res, 404, { error_code: 40403, message: 'Schema 77 not found' });
    const record = Buffer.from([0, 0, 0, 0, 77, 2]);
    expect((await failure(new Registry(base).decode(record))).code).toBe('DECODE_FAILED');
    handler = (_req, res) => res.writeHead(404).end();
    expect((await failure(new Registry(base).decode(record))).code).toBe('REGISTRY_MISCONFIGURED');
  });
});

describe('subject compatibility', () => {
  it('sets the level of a subject before its first registration in this process, once', async () => {
    seen.length = 0;
    handler = (req, res) => (req.method === 'PUT' ? json(res, 200, { compatibility: 'NONE' }) : json(res, 200, { id: 5 }));
    const registry = new Registry(base);
    expect(await registry.register('s-value', SCHEMA, { compatibility: 'NONE', table: 'd.t' })).toBe(5);
    expect(await registry.register('s-value', { ...SCHEMA, name: 'R2' }, { compatibility: 'NONE', table: 'd.t' })).toBe(5);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'PUT /config/s-value',
      'POST /subjects/s-value/versions',
      'POST /subjects/s-value/versions',
    ]);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ compatibility: 'NONE' });
  });

  it('a subject the registry does not know yet (Apicurio) gets its level right after the first registration', async () => {
    seen.length = 0;
    let created = false;
    handler = (req, res) => {
      if (req.method === 'POST') {
        created = true;
        return json(res, 200, { id: 6 });
      }
      return created ? json(res, 200, { compatibility: 'FULL' }) : json(res, 404, { error_code: 40401, message: 'no subject' });
    };
    await new Registry(base).register('s-value', SCHEMA, { compatibility: 'FULL' });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'PUT /config/s-value',
      'POST /subjects/s-value/versions',
      'PUT /config/s-value',
    ]);
  });

  it("on Apicurio's ccompat API, NONE is also set as the artifact's own rule (ccompat NONE only removes the rule)", async () => {
    seen.length = 0;
    handler = (req, res) => {
      if (req.url?.startsWith('/apis/registry/v3/')) return res.writeHead(204).end();
      return req.method === 'PUT' ? json(res, 200, { compatibility: 'NONE' }) : json(res, 200, { id: 7 });
    };
    await new Registry(`${base}/apis/ccompat/v7`).register('s-value', SCHEMA, { compatibility: 'NONE' });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'PUT /apis/ccompat/v7/config/s-value',
      'POST /apis/registry/v3/groups/default/artifacts/s-value/rules',
      'POST /apis/ccompat/v7/subjects/s-value/versions',
    ]);
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({ ruleType: 'COMPATIBILITY', config: 'NONE' });
    // Apicurio's own API takes plain JSON (it refuses the ccompat media type).
    expect(seen[1]?.type).toBe('application/json');
  });
});

describe('encode', () => {
  it('a value that does not fit its schema is ENCODE_FAILED, naming the field', async () => {
    handler = (req, res) => (req.method === 'PUT' ? json(res, 200, {}) : json(res, 200, { id: 8 }));
    const registry = new Registry(base);
    const id = await registry.register('s-value', SCHEMA);
    const e = await failure(registry.encode(id, { a: null }));
    expect(e.code).toBe('ENCODE_FAILED');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain('a');
  });
});
