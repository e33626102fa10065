import { connect } from 'node:net';
import { SluiceError } from '../errors.ts';

/**
 * DescribeLogDirs (Kafka API key 35), which kafkajs lacks: how many bytes each replica of a broker
 * holds. Version 1 is the newest non-flexible one (v2+ use compact encodings and tagged fields)
 * and is answered by every broker since Kafka 2.0. Layout: DescribeLogDirsRequest.json and
 * DescribeLogDirsResponse.json of apache/kafka. Plaintext listeners only, like the rest of the CLI.
 */
const API_KEY = 35;
const API_VERSION = 1;
/** An answer larger than this is not a DescribeLogDirs answer of any sane cluster. */
const MAX_FRAME = 256 * 1024 * 1024;

export interface LogDirsRequestTopic {
  topic: string;
  partitions: number[];
}

export interface LogDirPartition {
  partition: number;
  /** Bytes of the replica's log segments; exact below 2^53 (8 PiB). */
  size: number;
  offsetLag: number;
  /** A copy being built by AlterReplicaLogDirs, not (yet) the replica. */
  isFuture: boolean;
}

export interface LogDir {
  errorCode: number;
  logDir: string;
  topics: { topic: string; partitions: LogDirPartition[] }[];
}

export interface LogDirsResponse {
  correlationId: number;
  throttleTimeMs: number;
  logDirs: LogDir[];
}

/** Names of the error codes a log directory entry carries in practice. */
const ERROR_NAMES: Record<number, string> = {
  29: 'TOPIC_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  35: 'UNSUPPORTED_VERSION',
  56: 'KAFKA_STORAGE_ERROR',
  57: 'LOG_DIR_NOT_FOUND',
};
export const kafkaErrorName = (code: number): string => `${ERROR_NAMES[code] ?? 'error'} (${code})`;

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const string = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([int16(b.length), b]);
};

/**
 * The whole request frame: int32 size, request header v1 (api key, version, correlation id,
 * nullable client id), then the topics; `null` asks for every partition the broker holds.
 */
export function encodeDescribeLogDirs(correlationId: number, clientId: string, topics: LogDirsRequestTopic[] | null): Buffer {
  const parts = [int16(API_KEY), int16(API_VERSION), int32(correlationId), string(clientId)];
  if (topics === null) parts.push(int32(-1));
  else {
    parts.push(int32(topics.length));
    for (const t of topics) parts.push(string(t.topic), int32(t.partitions.length), ...t.partitions.map(int32));
  }
  const payload = Buffer.concat(parts);
  return Buffer.concat([int32(payload.length), payload]);
}

/** Reads big-endian fields in order; Buffer's own bounds checks throw past the end. */
class Reader {
  private at = 0;
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  int8 = () => this.step(1, this.buf.readInt8(this.at));
  int16 = () => this.step(2, this.buf.readInt16BE(this.at));
  int32 = () => this.step(4, this.buf.readInt32BE(this.at));
  int64 = () => this.step(8, Number(this.buf.readBigInt64BE(this.at)));
  string = (): string => {
    const n = this.int16();
    if (n < 0 || this.at + n > this.buf.length) throw new RangeError(`string of length ${n} at byte ${this.at}`);
    return this.step(n, this.buf.toString('utf8', this.at, this.at + n));
  };
  array = <T>(item: () => T): T[] => {
    const n = this.int32();
    // Every item takes at least one byte: a larger count is corruption, not a huge answer.
    if (n < 0 || n > this.buf.length - this.at) throw new RangeError(`array of length ${n} at byte ${this.at}`);
    return Array.from({ length: n }, item);
  };
  end(): void {
    if (this.at !== this.buf.length) throw new RangeError(`${this.buf.length - this.at} bytes left over`);
  }
  private step<T>(n: number, value: T): T {
    this.at += n;
    return value;
  }
}

/**
 * A DescribeLogDirs v1 answer: the frame without its size prefix (response header v0, the
 * correlation id, then the body). Throws SluiceError KAFKA_UNAVAILABLE when the bytes do not fit.
 */
export function parseDescribeLogDirs(payload: Buffer): LogDirsResponse {
  const r = new Reader(payload);
  try {
    const correlationId = r.int32();
    const throttleTimeMs = r.int32();
    const logDirs = r.array(() => ({
      errorCode: r.int16(),
      logDir: r.string(),
      topics: r.array(() => ({
        topic: r.string(),
        partitions: r.array(() => ({ partition: r.int32(), size: r.int64(), offsetLag: r.int64(), isFuture: r.int8() !== 0 })),
      })),
    }));
    r.end();
    return { correlationId, throttleTimeMs, logDirs };
  } catch (cause) {
    throw new SluiceError('KAFKA_UNAVAILABLE', `malformed DescribeLogDirs answer: ${(cause as Error).message}`, {
      cause,
      retriable: false,
    });
  }
}

/**
 * Bytes per topic and partition on the answering broker: the current replica's size, summed over
 * its log directories (during a move the copy in the destination directory is a future one and
 * does not count). Directories in error list no replicas; see `logDirErrors`.
 */
export function replicaSizes(res: LogDirsResponse): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const dir of res.logDirs) {
    for (const t of dir.topics) {
      const parts = out.get(t.topic) ?? new Map<number, number>();
      out.set(t.topic, parts);
      for (const p of t.partitions) if (!p.isFuture) parts.set(p.partition, (parts.get(p.partition) ?? 0) + p.size);
    }
  }
  return out;
}

/** "<dir>: KAFKA_STORAGE_ERROR (56)" for each log directory the broker could not describe. */
export const logDirErrors = (res: LogDirsResponse): string[] =>
  res.logDirs.filter((d) => d.errorCode !== 0).map((d) => `${d.logDir}: ${kafkaErrorName(d.errorCode)}`);

let nextCorrelationId = 1;

/**
 * Sends DescribeLogDirs v1 to one broker over its own TCP connection and returns the answer.
 * KAFKA_UNAVAILABLE when it cannot be reached, answers nothing within `timeoutMs` or closes the
 * connection (as brokers do for a version they lack or a listener that needs TLS/SASL);
 * QUERY_FAILED when it refuses: a v1 answer without log directories is how a broker says the
 * client may not Describe the cluster (every broker has at least one log directory).
 */
export async function describeLogDirs(
  broker: { host: string; port: number },
  topics: LogDirsRequestTopic[] | null,
  opts: { clientId?: string; timeoutMs?: number } = {},
): Promise<LogDirsResponse> {
  const where = `${broker.host}:${broker.port}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const correlationId = nextCorrelationId++ & 0x7fffffff;
  const frame = encodeDescribeLogDirs(correlationId, opts.clientId ?? 'sluice', topics);
  const payload = await new Promise<Buffer>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ host: broker.host, port: broker.port });
    const finish = (err?: Error, value?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value as Buffer);
    };
    const fail = (message: string, cause?: unknown) =>
      finish(new SluiceError('KAFKA_UNAVAILABLE', `DescribeLogDirs on broker ${where}: ${message}`, { cause }));
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    socket.on('connect', () => socket.write(frame));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      const size = buf.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME) fail(`answer of ${size} bytes: not a Kafka broker?`);
      else if (buf.length >= 4 + size) finish(undefined, buf.subarray(4, 4 + size));
    });
    socket.on('error', (err) => fail(err.message, err));
    socket.on('close', () =>
      fail('the broker closed the connection without an answer (a broker before Kafka 2.0, or a TLS/SASL listener)'),
    );
  });
  const res = parseDescribeLogDirs(payload);
  if (res.correlationId !== correlationId) {
    throw new SluiceError('KAFKA_UNAVAILABLE', `DescribeLogDirs on broker ${where}: answer to another request`, {
      retriable: false,
    });
  }
  if (!res.logDirs.length) {
    throw new SluiceError(
      'QUERY_FAILED',
      `broker ${where} refused DescribeLogDirs (no log directories in its answer: the client may not Describe the cluster, ${kafkaErrorName(31)})`,
    );
  }
  return res;
}
