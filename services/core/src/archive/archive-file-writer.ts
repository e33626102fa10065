import { createWriteStream } from 'node:fs';
import avro from 'avsc';
import type { ArchivedChangeType, ArchivedRecord } from './archived-change.ts';

/**
 * Writes ArchivedChange records (envelope bytes unchanged) into one Avro object container file
 * at a local path (an ArchiveStorage staging() path): avsc's BlockEncoder, deflate blocks.
 * close() flushes and closes it; the caller then put()s it (which fsyncs and renames).
 */
export class ArchiveFileWriter {
  private readonly encoder: avro.streams.BlockEncoder;
  private readonly done: Promise<void>;
  /** Bytes written so far (the header and the blocks handed over). */
  bytes = 0;
  rows = 0;

  constructor(path: string, type: ArchivedChangeType, opts: { codec: 'deflate' | 'null'; metadata: Record<string, Buffer> }) {
    this.encoder = new avro.streams.BlockEncoder(type.file, {
      codec: opts.codec,
      metadata: opts.metadata,
      blockSize: 256 * 1024,
      writeHeader: 'always',
    } as never);
    const out = createWriteStream(path);
    this.encoder.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
    });
    this.done = new Promise((resolve, reject) => {
      out.on('finish', () => resolve());
      out.on('error', reject);
      this.encoder.on('error', reject);
    });
    this.encoder.pipe(out);
  }

  /** Appends a record; resolves when the encoder can take more (backpressure). */
  async write(r: ArchivedRecord): Promise<void> {
    const more = this.encoder.write({
      head: {
        topic: r.topic,
        partition: r.partition,
        offset: BigInt(r.offset),
        timestamp: r.timestamp,
        schemaId: r.schemaId,
        headers: r.headers,
      },
      raw: r.envelope,
    });
    this.rows++;
    if (!more) await new Promise((resolve) => this.encoder.once('drain', resolve));
  }

  async close(): Promise<void> {
    this.encoder.end();
    await this.done;
  }
}
