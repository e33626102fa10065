import avro from 'avsc';
import { FramedEncoder } from '../avro/framed-encoder.ts';
import { exactAvroOptions } from '../avro/logical-types.ts';
import { SluiceError } from '../errors.ts';
import type { OperationWatch } from '../health/progress.ts';
import { errorCode, type RegistryEndpoint, RegistryHttp, registryMessage } from './registry-http.ts';

export { type RegistryEndpoint, registryTarget } from './registry-http.ts';

/** The registry's compatibility levels (Confluent names). */
export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type Compatibility = (typeof COMPATIBILITY_LEVELS)[number];

export interface RegisterOptions {
  /** Set this level on the subject before its first registration in this process. */
  compatibility?: Compatibility;
  /** The source table the subject belongs to, for messages. */
  table?: string;
}

/**
 * The schema registry seam (Confluent-compatible API; Apicurio's ccompat in the local stack),
 * over plain HTTP (registry-http.ts). Schema ids are immutable, so everything fetched by id is
 * cached for the life of the process: a registry restart does not stop decoding of known ids.
 * register() is idempotent and cached.
 */
export class Registry {
  private readonly http: RegistryHttp;
  private readonly registered = new Map<string, number>();
  private readonly types = new Map<number, avro.Type>();
  private readonly parsing = new Map<number, Promise<avro.Type>>();
  private readonly framed = new FramedEncoder();
  private readonly raw = new Map<number, Promise<Record<string, unknown>>>();
  /** Subjects whose level this process has set (true), or tried to before the subject existed (false). */
  private readonly levels = new Map<string, Promise<boolean>>();

  /** endpoint: the URL, or the config's section (credentials, TLS); watch: told of every request's outcome (readiness, time disconnected). */
  constructor(endpoint: string | RegistryEndpoint, watch?: OperationWatch) {
    this.http = new RegistryHttp(endpoint, watch);
  }

  /**
   * One cheap request that needs the credentials (the registry's global compatibility level),
   * at start-up: an unreachable registry, refused credentials or a TLS failure are known before
   * anything is read or published.
   */
  async probe(): Promise<void> {
    await this.http.answer('GET', '/config', 'checking the registry at start-up');
  }

  async register(subject: string, schema: Record<string, unknown>, opts: RegisterOptions = {}): Promise<number> {
    const text = JSON.stringify(schema);
    const cacheKey = `${subject}\n${text}`;
    const hit = this.registered.get(cacheKey);
    if (hit !== undefined) return hit;
    const what = opts.table
      ? `registering a schema of table ${opts.table}, subject ${subject}`
      : `registering subject ${subject}`;
    const level = opts.compatibility;
    const levelSet = level ? await this.setLevelOnce(subject, level, what) : true;
    const a = await this.http.answer('POST', `/subjects/${encodeURIComponent(subject)}/versions`, what, { schema: text });
    if (a.status === 409) throw incompatible(subject, opts, registryMessage(a.body));
    if (a.status === 422) {
      throw new SluiceError(
        'SCHEMA_INVALID',
        `the schema registry refused the schema of ${opts.table ? `table ${opts.table}` : 'subject'} (subject ${subject}) as invalid: ${registryMessage(a.body)}`,
      );
    }
    const id = Number((a.body as { id?: unknown })?.id);
    if (!Number.isInteger(id)) {
      throw new SluiceError('REGISTRY_MISCONFIGURED', `the schema registry answered ${what} without a schema id`);
    }
    // A subject the registry did not know before this registration gets its level now.
    if (level && !levelSet) {
      this.levels.delete(subject);
      await this.setLevelOnce(subject, level, what);
    }
    this.registered.set(cacheKey, id);
    if (!this.types.has(id)) this.types.set(id, avro.Type.forSchema(schema as avro.Schema, { ...exactAvroOptions } as never));
    return id;
  }

  private setLevelOnce(subject: string, level: Compatibility, what: string): Promise<boolean> {
    let p = this.levels.get(subject);
    if (!p) {
      p = this.setLevel(subject, level, what);
      this.levels.set(subject, p);
      p.catch(() => this.levels.delete(subject));
    }
    return p;
  }

  /**
   * PUT /config/<subject>. False when the registry does not know the subject yet (Apicurio
   * answers 40401; Confluent takes the level for a subject to come). Apicurio's ccompat maps
   * NONE to "no rule of the artifact's own", so its global rule would still apply: the artifact
   * also gets an explicit COMPATIBILITY rule NONE through Apicurio's own API.
   */
  private async setLevel(subject: string, level: Compatibility, what: string): Promise<boolean> {
    const s = encodeURIComponent(subject);
    const a = await this.http.answer('PUT', `/config/${s}`, what, { compatibility: level });
    if (a.status === 404) return false;
    if (a.status >= 300)
      throw new SluiceError('REGISTRY_MISCONFIGURED', `schema registry refused level ${level} for subject ${subject}`);
    const root = this.http.apicurioRoot;
    if (level === 'NONE' && root) {
      const rule = { ruleType: 'COMPATIBILITY', config: 'NONE' };
      const native = { root, contentType: 'application/json', statuses: [404] };
      for (const api of ['/registry/v3', '/registry/v2']) {
        const rules = `${api}/groups/default/artifacts/${s}/rules`;
        const created = await this.http.answer('POST', rules, what, rule, native);
        // 404: not this API version (or no native API at all: a proxy in front of ccompat only).
        if (created.status === 404) continue;
        if (created.status === 409) await this.http.answer('PUT', `${rules}/COMPATIBILITY`, what, rule, native);
        else if (created.status >= 300) {
          throw new SluiceError(
            'REGISTRY_MISCONFIGURED',
            `schema registry refused rule NONE for ${subject}: ${registryMessage(created.body)}`,
          );
        }
        break;
      }
    }
    return true;
  }

  /**
   * Encodes with a schema this process registered, without per-record awaits or a validation
   * pass (the hot path of capture). Anything unexpected falls back to encode(), which explains
   * what is wrong with the value: undefined means "use encode()".
   */
  encodeSync(id: number, value: unknown): Buffer | undefined {
    const type = this.types.get(id);
    if (!type) return undefined;
    try {
      return this.framed.encode(type, id, value);
    } catch {
      return undefined; // the caller falls back to encode(), which says what is wrong
    }
  }

  /** The id of a subject's latest version, or undefined when the subject has none. */
  async latestId(subject: string): Promise<number | undefined> {
    return (await this.latest(subject))?.id;
  }

  /** A subject's latest version (id and schema as registered), or undefined when it has none. */
  async latest(subject: string): Promise<{ id: number; schema: Record<string, unknown> } | undefined> {
    const what = `reading the latest schema of subject ${subject}`;
    const a = await this.http.answer('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`, what);
    if (a.status === 404) return undefined;
    const body = a.body as { id?: unknown; schema?: unknown };
    return { id: Number(body.id), schema: JSON.parse(String(body.schema)) };
  }

  /** A subject's versions, newest first (id and schema as registered), read one by one as asked for. */
  async *history(subject: string): AsyncGenerator<{ id: number; schema: Record<string, unknown> }> {
    const s = encodeURIComponent(subject);
    const list = await this.http.answer('GET', `/subjects/${s}/versions`, `listing the versions of subject ${subject}`);
    if (list.status === 404) return;
    const versions = (list.body as unknown[]).map(Number).sort((a, b) => b - a);
    for (const v of versions) {
      const a = await this.http.answer('GET', `/subjects/${s}/versions/${v}`, `reading version ${v} of subject ${subject}`);
      if (a.status === 404) continue; // deleted meanwhile
      const body = a.body as { id?: unknown; schema?: unknown };
      yield { id: Number(body.id), schema: JSON.parse(String(body.schema)) };
    }
  }

  async encode(id: number, value: unknown): Promise<Buffer> {
    const type = await this.readerType(id);
    try {
      const payload = type.toBuffer(value);
      const out = Buffer.alloc(5 + payload.length);
      out.writeInt32BE(id, 1);
      payload.copy(out, 5);
      return out;
    } catch (cause) {
      const paths: string[] = [];
      type.isValid(value, {
        errorHook: (path: string[], _v: unknown, t: avro.Type) => paths.push(`${path.join('.')} (${typeName(t)})`),
      });
      throw new SluiceError(
        'ENCODE_FAILED',
        `a value does not fit schema id ${id}${paths.length ? ` at ${paths.join(', ')}` : `: ${(cause as Error).message}`}`,
        { cause },
      );
    }
  }

  async decode(buf: Buffer): Promise<{ id: number; value: unknown }> {
    const id = schemaIdOf(buf);
    const type = await this.readerType(id);
    try {
      return { id, value: type.decode(buf, 5).value };
    } catch (cause) {
      throw new SluiceError('DECODE_FAILED', `cannot decode a record with schema id ${id}: ${(cause as Error).message}`, {
        cause,
      });
    }
  }

  /** The avsc type of a schema id, parsed once per process. */
  readerType(id: number): Promise<avro.Type> {
    const hit = this.types.get(id);
    if (hit) return Promise.resolve(hit);
    let p = this.parsing.get(id);
    if (!p) {
      p = this.rawSchema(id).then((schema) => {
        const type = avro.Type.forSchema(schema as avro.Schema, { ...exactAvroOptions } as never);
        this.types.set(id, type);
        return type;
      });
      this.parsing.set(id, p);
      p.catch(() => this.parsing.delete(id));
    }
    return p;
  }

  /** The schema JSON as registered, including sluice's field attributes (avsc drops them). */
  rawSchema(id: number): Promise<Record<string, unknown>> {
    let p = this.raw.get(id);
    if (!p) {
      p = this.fetchRaw(id);
      this.raw.set(id, p);
      p.catch(() => this.raw.delete(id));
    }
    return p;
  }

  private async fetchRaw(id: number): Promise<Record<string, unknown>> {
    const a = await this.http.answer('GET', `/schemas/ids/${id}`, `fetching schema id ${id}`);
    if (a.status !== 200) {
      // The registry does not have the id a record names: that record cannot be read here.
      const said = registryMessage(a.body);
      throw new SluiceError(
        'DECODE_FAILED',
        `schema id ${id} is not in the schema registry at ${this.http.base} (${errorCode(a.body) ?? a.status}: ${said})`,
      );
    }
    return JSON.parse(String((a.body as { schema?: unknown }).schema));
  }
}

function incompatible(subject: string, opts: RegisterOptions, said: string): SluiceError {
  const table = opts.table ? `table ${opts.table}` : `subject ${subject}`;
  const level = opts.compatibility;
  const advice =
    level === 'NONE'
      ? `schemaRegistry.compatibility is NONE, yet the registry still enforces a level on subject ${subject} (a global rule?): lower it in the registry`
      : level
        ? `schemaRegistry.compatibility is ${level}: set it to NONE (the default) so that every DDL stays publishable, or lower the level of subject ${subject} in the registry`
        : `lower the compatibility level of subject ${subject} in the registry (schemaRegistry.compatibility)`;
  return new SluiceError(
    'SCHEMA_INCOMPATIBLE',
    `the schema registry refused the new schema of ${table} (subject ${subject}) as incompatible with its earlier versions: ${said}; ${advice}`,
  );
}

const typeName = (t: avro.Type): string => (t.typeName === 'record' ? (t.name ?? 'record') : t.typeName);

/** The Confluent wire format: magic byte 0, then a 4-byte big-endian schema id. */
export function schemaIdOf(buf: Buffer): number {
  if (buf.length < 5 || buf[0] !== 0) {
    throw new SluiceError('DECODE_FAILED', 'not a Confluent-framed record (missing magic byte 0)');
  }
  return buf.readInt32BE(1);
}
