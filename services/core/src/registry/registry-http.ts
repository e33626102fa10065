import { SluiceError } from '../errors.ts';
import type { OperationWatch } from '../health/progress.ts';

/** What a registry answered: its status and its body (parsed when JSON). */
export interface RegistryAnswer {
  status: number;
  body: unknown;
}

/** Confluent's "not found" error codes: subject, version, schema. A 404 without one is a wrong URL. */
const NOT_FOUND_CODES = new Set([40401, 40402, 40403, 40408]);

/**
 * HTTP to a Confluent-compatible registry (Apicurio's ccompat in the local stack), with plain
 * fetch. Credentials in the URL travel as basic auth and never appear in a message. Every
 * failure is a SluiceError whose code says what to do: unreachable/5xx retriable, a wrong URL or
 * refused credentials a configuration error; 409 and 422 are left to the caller, which knows the
 * table (answer() returns them).
 */
export class RegistryHttp {
  /** The URL without credentials, without a trailing slash: safe to print. */
  readonly base: string;
  private readonly auth: string | undefined;
  /** Told of every request's outcome: readiness reflects whether the registry answers. */
  private readonly watch: OperationWatch | undefined;

  constructor(url: string, watch?: OperationWatch) {
    this.watch = watch;
    const u = new URL(url);
    this.auth =
      u.username || u.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
        : undefined;
    u.username = '';
    u.password = '';
    this.base = u.toString().replace(/\/$/, '');
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
    let res: Response;
    this.watch?.begin();
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(body === undefined ? {} : { 'content-type': opts.contentType ?? 'application/vnd.schemaregistry.v1+json' }),
          ...(this.auth ? { authorization: this.auth } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (cause) {
      const c = cause as Error & { cause?: { code?: string; message?: string } };
      const reason = c.cause?.code ?? c.cause?.message ?? c.message;
      const e = new SluiceError('REGISTRY_UNAVAILABLE', `schema registry unreachable at ${url} (${what}): ${reason}`, { cause });
      this.watch?.failed(e);
      throw e;
    }
    // A 5xx is a registry that cannot serve (its storage down); any other answer is a registry up.
    if (res.status >= 500) this.watch?.failed(new SluiceError('REGISTRY_UNAVAILABLE', `HTTP ${res.status}`));
    else this.watch?.ok();
    const text = await res.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the message
    }
    const answer = { status: res.status, body: parsed };
    if (res.ok || res.status === 409 || res.status === 422 || opts.statuses?.includes(res.status)) return answer;
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
      `schema registry refused the credentials (${a.status}) for ${request} (${what}): check the user:password of schemaRegistry.url${detail}`,
    );
  }
  return new SluiceError('REGISTRY_MISCONFIGURED', `schema registry refused ${request} with ${a.status} (${what})${detail}`);
}
