import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SluiceError } from '../errors.ts';
import { describeLogDirs, encodeDescribeLogDirs, logDirErrors, parseDescribeLogDirs, replicaSizes } from './log-dirs.ts';

/** Writes the wire types of the Kafka protocol, big-endian, for hand-built answers. */
class Bytes {
  private parts: Buffer[] = [];
  int8(n: number) {
    const b = Buffer.alloc(1);
    b.writeInt8(n);
    return this.push(b);
  }
  int16(n: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return this.push(b);
  }
  int32(n: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return this.push(b);
  }
  int64(n: bigint) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    return this.push(b);
  }
  string(s: string) {
    this.int16(Buffer.byteLength(s));
    return this.push(Buffer.from(s));
  }
  done = () => Buffer.concat(this.parts);
  private push(b: Buffer) {
    this.parts.push(b);
    return this;
  }
}

type Part = [partition: number, size: bigint, lag: bigint, future: boolean];
type Dir = [error: number, dir: string, topics: [string, Part[]][]];

/** A DescribeLogDirs v1 answer without its size prefix. */
function answer(correlationId: number, dirs: Dir[]): Buffer {
  const w = new Bytes().int32(correlationId).int32(0).int32(dirs.length);
  for (const [error, dir, topics] of dirs) {
    w.int16(error).string(dir).int32(topics.length);
    for (const [topic, parts] of topics) {
      w.string(topic).int32(parts.length);
      for (const [p, size, lag, future] of parts)
        w.int32(p)
          .int64(size)
          .int64(lag)
          .int8(future ? 1 : 0);
    }
  }
  return w.done();
}

const framed = (payload: Buffer) => Buffer.concat([new Bytes().int32(payload.length).done(), payload]);

describe('DescribeLogDirs', () => {
  it('encodes the v1 request: header, then the topics or -1 for all', () => {
    const frame = encodeDescribeLogDirs(7, 'cli', [{ topic: 'p.a', partitions: [0, 2] }]);
    const body = new Bytes().int16(35).int16(1).int32(7).string('cli').int32(1).string('p.a').int32(2).int32(0).int32(2).done();
    expect(frame).toEqual(framed(body));
    expect(encodeDescribeLogDirs(8, 'cli', null)).toEqual(
      framed(new Bytes().int16(35).int16(1).int32(8).string('cli').int32(-1).done()),
    );
  });

  it('parses log directories and sums current replicas, leaving future copies out', () => {
    const res = parseDescribeLogDirs(
      answer(7, [
        [
          0,
          '/d1',
          [
            [
              'p.a',
              [
                [0, 5_000_000_000n, 0n, false],
                [1, 10n, 3n, false],
              ],
            ],
          ],
        ],
        [
          0,
          '/d2',
          [
            ['p.a', [[0, 4_000n, 0n, true]]],
            ['p.b', [[0, 0n, 0n, false]]],
          ],
        ],
      ]),
    );
    expect(res.correlationId).toBe(7);
    expect(res.logDirs[0]).toEqual({
      errorCode: 0,
      logDir: '/d1',
      topics: [
        {
          topic: 'p.a',
          partitions: [
            { partition: 0, size: 5_000_000_000, offsetLag: 0, isFuture: false },
            { partition: 1, size: 10, offsetLag: 3, isFuture: false },
          ],
        },
      ],
    });
    expect(res.logDirs[1]?.topics[0]?.partitions[0]?.isFuture).toBe(true);
    const sizes = replicaSizes(res);
    expect([...(sizes.get('p.a') ?? [])]).toEqual([
      [0, 5_000_000_000],
      [1, 10],
    ]);
    expect([...(sizes.get('p.b') ?? [])]).toEqual([[0, 0]]);
    expect(logDirErrors(res)).toEqual([]);
  });

  it('reports a log directory in error, whose replicas are unknown', () => {
    const res = parseDescribeLogDirs(
      answer(1, [
        [56, '/broken', []],
        [0, '/ok', [['p.a', [[1, 42n, 0n, false]]]]],
      ]),
    );
    expect(res.logDirs.map((d) => d.errorCode)).toEqual([56, 0]);
    expect(logDirErrors(res)).toEqual(['/broken: KAFKA_STORAGE_ERROR (56)']);
    expect([...(replicaSizes(res).get('p.a') ?? [])]).toEqual([[1, 42]]);
  });

  it('refuses bytes that are not a whole v1 answer', () => {
    const ok = answer(1, [[0, '/d', [['p.a', [[0, 1n, 0n, false]]]]]]);
    for (const bad of [ok.subarray(0, ok.length - 1), Buffer.concat([ok, Buffer.from([0])]), ok.subarray(0, 10)]) {
      expect(() => parseDescribeLogDirs(bad)).toThrow(SluiceError);
    }
    expect(() => parseDescribeLogDirs(new Bytes().int32(1).int32(0).int32(1_000_000).done())).toThrow(/malformed.*array/);
  });
});

describe('DescribeLogDirs over TCP', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  /** A one-shot broker: reads the request's correlation id and lets `reply` answer. */
  async function broker(reply: (socket: Socket, correlationId: number) => void): Promise<{ host: string; port: number }> {
    server = createServer((socket) => socket.once('data', (req: Buffer) => reply(socket, req.readInt32BE(8))));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    return { host: '127.0.0.1', port: address.port };
  }

  it('reads an answer that arrives in pieces', async () => {
    const at = await broker((socket, id) => {
      const frame = framed(answer(id, [[0, '/d', [['p.a', [[0, 99n, 0n, false]]]]]]));
      socket.write(frame.subarray(0, 3));
      setTimeout(() => socket.end(frame.subarray(3)), 20);
    });
    const res = await describeLogDirs(at, [{ topic: 'p.a', partitions: [0] }]);
    expect(replicaSizes(res).get('p.a')?.get(0)).toBe(99);
  });

  it('names a refusal (no log directories) QUERY_FAILED, and a closed or silent broker KAFKA_UNAVAILABLE', async () => {
    const refusing = await broker((socket, id) => socket.end(framed(answer(id, []))));
    await expect(describeLogDirs(refusing, null)).rejects.toMatchObject({
      code: 'QUERY_FAILED',
      message: /refused DescribeLogDirs/,
    });
    server?.close();
    const closing = await broker((socket) => socket.end());
    await expect(describeLogDirs(closing, null)).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      message: /closed the connection/,
    });
    server?.close();
    const silent = await broker(() => undefined);
    await expect(describeLogDirs(silent, null, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      message: /no answer within 0.1 s/,
    });
  });
});
