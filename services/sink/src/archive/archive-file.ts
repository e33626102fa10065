import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, TEMP_SUFFIX } from '@sluice/core';
import avro from 'avsc';

/**
 * One Avro object container file being written: records go to `<final>.tmp` through avsc's
 * BlockEncoder (header with the writer schema and metadata, deflate blocks); close() makes it
 * durable under its final name: end the encoder, write out, fsync the file, rename, fsync the
 * directory. Until then it is not part of the archive (start-up recovery removes temp files).
 */
export class ArchiveFile {
  readonly path: string;
  readonly temp: string;
  private readonly fh: FileHandle;
  private readonly encoder: avro.streams.BlockEncoder;
  private chain: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private ended: Promise<void>;
  /** Bytes handed to the file so far (compressed blocks and the header). */
  bytes = 0;

  private constructor(path: string, fh: FileHandle, encoder: avro.streams.BlockEncoder) {
    this.path = path;
    this.temp = `${path}${TEMP_SUFFIX}`;
    this.fh = fh;
    this.encoder = encoder;
    encoder.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.chain = this.chain
        .then(() => fh.write(chunk))
        .catch((err) => {
          this.failure ??= err as Error;
        });
    });
    encoder.on('error', (err: Error) => {
      this.failure ??= err;
    });
    this.ended = new Promise((resolve) => encoder.once('end', () => resolve()));
  }

  /**
   * Opens `<path>.tmp` (replacing one left by an aborted write of this process) in a directory
   * that exists durably: directories it creates are fsynced into their parents.
   */
  static async open(
    path: string,
    type: avro.Type,
    opts: { codec: 'deflate' | 'null'; metadata: Record<string, Buffer>; blockSize?: number },
  ): Promise<ArchiveFile> {
    const dir = dirname(path);
    const created = await mkdir(dir, { recursive: true });
    if (created) {
      // Each new directory's entry lives in its parent: fsync from the first one's parent down.
      for (let d = dir; ; d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === created) break;
      }
    }
    const fh = await open(`${path}${TEMP_SUFFIX}`, 'w');
    const encoder = new avro.streams.BlockEncoder(type, {
      codec: opts.codec,
      metadata: opts.metadata,
      blockSize: opts.blockSize ?? 256 * 1024,
      writeHeader: 'always',
    } as never);
    return new ArchiveFile(path, fh, encoder);
  }

  write(record: unknown): void {
    if (this.failure) throw this.failure;
    this.encoder.write(record);
  }

  /** Waits until what was written so far is in the file's buffers (not yet fsynced). */
  async drain(): Promise<void> {
    // The encoder hands over full blocks on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await this.chain;
    if (this.failure) throw this.failure;
  }

  /** Makes the file durable under its final name. */
  async close(): Promise<void> {
    this.encoder.end();
    await this.ended;
    await this.chain;
    if (this.failure) throw this.failure;
    await this.fh.sync();
    await this.fh.close();
    await rename(this.temp, this.path);
    await fsyncDir(dirname(this.path));
  }

  /** Drops the file: its records were never durable and their offsets never committed. */
  async abort(): Promise<void> {
    this.encoder.destroy();
    await this.chain.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }
}
