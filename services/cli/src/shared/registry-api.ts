import type { Agent } from 'node:http';
import { httpRequest, redactUrl, registryTarget, SluiceError, tlsFailure } from '@sluice/core';
import { registryConnection } from './connections.ts';

/** One registered version of a subject. */
export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schema: Record<string, unknown>;
}

/**
 * The few read calls of the Confluent-compatible registry REST API the CLI needs (Apicurio's
 * ccompat in the local stack). Absent subjects and versions are undefined, not errors. Basic auth
 * from the URL's user:password, or from the config file that names the URL (with its TLS:
 * connections.ts).
 */
export class RegistryApi {
  readonly url: string;
  /** The URL without credentials. */
  private readonly base: string;
  private readonly auth: string | undefined;
  private readonly agent: Agent;

  constructor(url: string) {
    this.url = url.replace(/\/$/, '');
    const e = registryConnection(url);
    // The URL given here, with the TLS and login of the config file that names it (connections.ts).
    ({
      base: this.base,
      auth: this.auth,
      agent: this.agent,
    } = registryTarget(typeof e === 'string' ? this.url : { ...e, url: this.url }));
  }

  /** GET /subjects: every subject name. */
  async subjects(): Promise<string[]> {
    return ((await this.get('/subjects')) as string[] | undefined) ?? [];
  }

  /** GET /subjects/{subject}/versions, ascending; undefined when the subject does not exist. */
  async versions(subject: string): Promise<number[] | undefined> {
    const v = (await this.get(`/subjects/${encodeURIComponent(subject)}/versions`)) as number[] | undefined;
    return v?.map(Number).sort((a, b) => a - b);
  }

  /** GET /subjects/{subject}/versions/{version}, the schema parsed. */
  async version(subject: string, version: number | 'latest'): Promise<SubjectVersion | undefined> {
    const body = (await this.get(`/subjects/${encodeURIComponent(subject)}/versions/${version}`)) as
      | { subject: string; version: number; id: number; schema: string }
      | undefined;
    if (!body) return undefined;
    let schema: Record<string, unknown>;
    try {
      schema = JSON.parse(body.schema);
    } catch (cause) {
      throw new SluiceError('DECODE_FAILED', `${subject} version ${version}: the registry's schema is not JSON`, { cause });
    }
    return { subject: body.subject ?? subject, version: Number(body.version), id: Number(body.id), schema };
  }

  private async get(path: string): Promise<unknown> {
    let res: { status: number; text: string };
    const shown = redactUrl(this.url);
    try {
      res = await httpRequest(`${this.base}${path}`, {
        method: 'GET',
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(this.auth ? { authorization: this.auth } : {}),
        },
        timeoutMs: 10_000,
        agent: this.agent,
      });
    } catch (cause) {
      const tls = tlsFailure(cause, `the schema registry at ${shown}`, 'schemaRegistry.tls');
      if (tls) throw tls;
      throw new SluiceError('REGISTRY_UNAVAILABLE', `schema registry at ${shown} unreachable: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (res.status === 404) return undefined;
    if (res.status === 401 || res.status === 403) {
      throw new SluiceError(
        'REGISTRY_MISCONFIGURED',
        `schema registry at ${shown} refused the credentials (${res.status}) for GET ${path}: check schemaRegistry.username and password in the config file, or the user:password of the URL`,
      );
    }
    if (res.status < 200 || res.status >= 300) {
      throw new SluiceError(
        'REGISTRY_UNAVAILABLE',
        `schema registry answered ${res.status} for GET ${path}: ${res.text.slice(0, 200)}`,
      );
    }
    return JSON.parse(res.text);
  }
}
