import { redactUrl, SluiceError } from '@sluice/core';

/** One registered version of a subject. */
export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schema: Record<string, unknown>;
}

/**
 * The few read calls of the Confluent-compatible registry REST API the CLI needs (Apicurio's
 * ccompat in the local stack). Absent subjects and versions are undefined, not errors.
 */
export class RegistryApi {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/$/, '');
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
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json' },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      // fetch quotes the whole URL, credentials included, when it refuses one that has them.
      const shown = redactUrl(this.url);
      const reason = (cause as Error).message.replaceAll(this.url, shown);
      throw new SluiceError('REGISTRY_UNAVAILABLE', `schema registry at ${shown} unreachable: ${reason}`, { cause });
    }
    if (res.status === 404) return undefined;
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new SluiceError(
        'REGISTRY_UNAVAILABLE',
        `schema registry answered ${res.status} for GET ${path}: ${text.slice(0, 200)}`,
      );
    }
    return res.json();
  }
}
