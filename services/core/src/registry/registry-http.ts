import type { Agent } from 'node:http';
import { type PasswordFields, passwordOf } from '../config/secret.ts';
import type { TlsSettings } from '../config/tls.ts';
import { SluiceError } from '../errors.ts';
import type { OperationWatch } from '../health/progress.ts';
import { httpAgent, httpRequest } from '../net/http-request.ts';
import { tlsFailure } from '../net/tls-errors.ts';

/**
 * The registry as the config gives it (config/common.ts registrySection): a URL, and optionally
 * basic-auth credentials outside it and TLS for an https:// URL.
 */
export interface RegistryEndpoint extends PasswordFields {
  url: string;
  username?: string;
  tls?: TlsSettings;
}

/** What a registry answered: its status and its body (parsed when JSON). */
export interface RegistryAnswer {
  status: number;
  body: unknown;
}

/** Confluent's "not found" error codes: subject, version, schema. A 404 without one is a wrong URL. */
const NOT_FOUND_CODES = new Set([40401, 40402, 40403, 40408]);

/**
 * HTTP to a Confluent-compatible registry (Apicurio's ccompat in the local stack), over node:http
 * or node:https (with the config's CA and client certificate). Credentials (in the URL, or
 * username and password) travel as basic auth and never appear in a message. Every
 * failure is a SluiceError whose code says what to do: unreachable/5xx retriable, a wrong URL or
 * refused credentials a configuration error; 409 and 422 are left to the caller, which knows the
 * table (answer() returns them).
 */
/**
 * Where and how to reach a registry: its base URL without credentials, the basic-auth header
 * (username and password of the config, or the URL's own), and the agent with its TLS settings.
 */
export function registryTarget(endpoint: string | RegistryEndpoint): { base: string; auth: string | undefined; agent: Agent } {
  const e = typeof endpoint === 'string' ? { url: endpoint } : endpoint;
  const u = new URL(e.url);
  const password = passwordOf(e);
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const auth =
    e.username && password
      ? basic(e.username, password.reveal())
      : u.username || u.password
        ? basic(decodeURIComponent(u.username), decodeURIComponent(u.password))
        : undefined;
  u.username = '';
  u.password = '';
  const base = u.toString().replace(/\/$/, '');
  return { base, auth, agent: httpAgent(base, e.tls) };
}

export class RegistryHttp {
  /** The URL without credentials, without a trailing slash: safe to print. */
  readonly base: string;
  private readonly auth: string | undefined;
  /** Told of every request's outcome: readiness reflects whether the registry answers. */
  private readonly watch: OperationWatch | undefined;

  private readonly agent: Agent;

  constructor(endpoint: string | RegistryEndpoint, watch?: OperationWatch) {
    this.watch = watch;
    ({ base: this.base, auth: this.auth, agent: this.agent } = registryTarget(endpoint));
  }

  /** Apicurio's native API root, when the URL is its ccompat API (`.../apis/ccompat/v7`). */
  get apicurioRoot(): string | undefined {
    const m = /^(.*\/apis)\/ccompat\/v\d+$/.exec(this.base);
    return m?.[1];
  }

  /**
   * One request. Resolves with 2xx answers, with Confluent "not found" answers (404 with a
   * 404xx error code), with 409/422 (the caller names the table) and with the `statuses` asked
   * for; throws for the rest. `root` and `contentType` serve Apicurio's native API.
   */
  async answer(
    method: string,
    path: string,
    what: string,
    body?: unknown,
    opts: { root?: string; contentType?: string; statuses?: number[] } = {},
  ): Promise<RegistryAnswer> {
    const url = `${opts.root ?? this.base}${path}`;
    let res: { status: number; text: string };
    this.watch?.begin();
    try {
      res = await httpRequest(url, {
        method,
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(body === undefined ? {} : { 'content-type': opts.contentType ?? 'application/vnd.schemaregistry.v1+json' }),
          ...(this.auth ? { authorization: this.auth } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: 30_000,
        agent: this.agent,
      });
    } catch (cause) {
      const c = cause as Error & { code?: string };
      const e =
        tlsFailure(cause, `the schema registry at ${this.base} (${what})`, 'schemaRegistry.tls') ??
        new SluiceError('REGISTRY_UNAVAILABLE', `schema registry unreachable at ${url} (${what}): ${c.code ?? c.message}`, {
          cause,
        });
      this.watch?.failed(e);
      throw e;
    }
    // A 5xx is a registry that cannot serve (its storage down); any other answer is a registry up.
    if (res.status >= 500) this.watch?.failed(new SluiceError('REGISTRY_UNAVAILABLE', `HTTP ${res.status}`));
    else this.watch?.ok();
    const text = res.text;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the message
    }
    const answer = { status: res.status, body: parsed };
    if (
      (res.status >= 200 && res.status < 300) ||
      res.status === 409 ||
      res.status === 422 ||
      opts.statuses?.includes(res.status)
    )
      return answer;
    if (res.status === 404 && NOT_FOUND_CODES.has(errorCode(parsed) ?? 0)) return answer;
    throw failure(answer, `${method} ${url}`, what);
  }
}

/** The Confluent `error_code` of an answer body, if any. */
export function errorCode(body: unknown): number | undefined {
  const c = (body as { error_code?: unknown } | undefined)?.error_code;
  return typeof c === 'number' ? c : undefined;
}

/** The registry's own words: its `message` (Confluent), `detail`/`title` (Apicurio native), else the text. */
export function registryMessage(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; detail?: unknown; title?: unknown };
    const m = b.message ?? b.detail ?? b.title;
    if (typeof m === 'string') return m.slice(0, 500);
    return JSON.stringify(body).slice(0, 500);
  }
  return String(body ?? '').slice(0, 200);
}

function failure(a: RegistryAnswer, request: string, what: string): SluiceError {
  const said = registryMessage(a.body);
  const detail = said ? `: ${said}` : '';
  if (a.status >= 500 || a.status === 408 || a.status === 429) {
    return new SluiceError('REGISTRY_UNAVAILABLE', `schema registry answered ${a.status} to ${request} (${what})${detail}`);
  }
  if (a.status === 404) {
    return new SluiceError(
      'REGISTRY_MISCONFIGURED',
      `schema registry answered 404 to ${request} (${what}): there is no Confluent-compatible registry API at that path; ` +
        'check schemaRegistry.url (Apicurio: http://host:port/apis/ccompat/v7)',
    );
  }
  if (a.status === 401 || a.status === 403) {
    return new SluiceError(
      'REGISTRY_MISCONFIGURED',
      `schema registry refused the credentials (${a.status}) for ${request} (${what}): check schemaRegistry.username and password (or passwordFile, SLUICE_SCHEMA_REGISTRY_PASSWORD), or the user:password of schemaRegistry.url${detail}`,
    );
  }
  return new SluiceError('REGISTRY_MISCONFIGURED', `schema registry refused ${request} with ${a.status} (${what})${detail}`);
}
