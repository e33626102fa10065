import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { FramedEncoder } from '../avro/framed-encoder.ts';
import { exactAvroOptions } from '../avro/logical-types.ts';
import { SluiceError } from '../errors.ts';

/**
 * The schema registry seam (Confluent-compatible API; Apicurio's ccompat in the local stack).
 * Schema ids are immutable, so everything fetched by id is cached for the life of the process:
 * a registry restart does not stop decoding of known ids. register() is idempotent and cached.
 */
export class Registry {
  private readonly client: SchemaRegistry;
  private readonly url: string;
  private readonly registered = new Map<string, number>();
  private readonly types = new Map<number, avro.Type>();
  private readonly parsing = new Map<number, Promise<avro.Type>>();
  private readonly framed = new FramedEncoder();
  private readonly raw = new Map<number, Promise<Record<string, unknown>>>();

  constructor(url: string) {
    this.url = url.replace(/\/$/, '');
    this.client = new SchemaRegistry({ host: this.url }, { [SchemaType.AVRO]: exactAvroOptions });
  }

  async register(subject: string, schema: Record<string, unknown>): Promise<number> {
    const text = JSON.stringify(schema);
    const cacheKey = `${subject}\n${text}`;
    const hit = this.registered.get(cacheKey);
    if (hit !== undefined) return hit;
    try {
      const { id } = await this.client.register(
        { type: SchemaType.AVRO, schema: text },
        { subject, compatibility: 'BACKWARD' as never },
      );
      this.registered.set(cacheKey, id);
      if (!this.types.has(id)) this.types.set(id, avro.Type.forSchema(schema as avro.Schema, { ...exactAvroOptions } as never));
      return id;
    } catch (cause) {
      throw wrap(cause, `cannot register schema for subject ${subject}`);
    }
  }

  /**
   * Encodes with a schema this process registered, without the registry client's per-record
   * awaits and validation pass (the hot path of capture). Anything unexpected falls back to
   * encode(), which explains what is wrong with the value: undefined means "use encode()".
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
    try {
      return await this.client.getLatestSchemaId(subject);
    } catch (cause) {
      if ((cause as { status?: number }).status === 404) return undefined;
      throw wrap(cause, `cannot read the latest schema of subject ${subject}`);
    }
  }

  async encode(id: number, value: unknown): Promise<Buffer> {
    try {
      return await this.client.encode(id, value);
    } catch (cause) {
      throw wrap(cause, `cannot encode with schema id ${id}`);
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

  /**
   * The avsc type of a schema id, parsed once per process (the registry client parses again for
   * every concurrent caller while its cache is cold).
   */
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
    let res: Response;
    try {
      res = await fetch(`${this.url}/schemas/ids/${id}`, { headers: { accept: 'application/vnd.schemaregistry.v1+json' } });
    } catch (cause) {
      throw new SluiceError('REGISTRY_UNAVAILABLE', `schema registry unreachable fetching id ${id}`, { cause });
    }
    if (!res.ok) {
      throw new SluiceError('REGISTRY_UNAVAILABLE', `schema registry answered ${res.status} for schema id ${id}`, {
        retriable: res.status >= 500,
      });
    }
    const body = (await res.json()) as { schema: string };
    return JSON.parse(body.schema);
  }
}

/** The Confluent wire format: magic byte 0, then a 4-byte big-endian schema id. */
export function schemaIdOf(buf: Buffer): number {
  if (buf.length < 5 || buf[0] !== 0) {
    throw new SluiceError('DECODE_FAILED', 'not a Confluent-framed record (missing magic byte 0)');
  }
  return buf.readInt32BE(1);
}

function wrap(cause: unknown, message: string): SluiceError {
  if (cause instanceof SluiceError) return cause;
  const status = (cause as { status?: number })?.status;
  const network = !status || status >= 500;
  return new SluiceError(
    network ? 'REGISTRY_UNAVAILABLE' : 'DECODE_FAILED',
    `${message}: ${(cause as Error)?.message ?? cause}`,
    {
      cause,
      retriable: network,
    },
  );
}
