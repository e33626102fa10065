import { type FileHandle, open, unlink } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ArchiveStorage } from '@sluice/core';
import avro from 'avsc';

/**
 * One Avro object container file being written: records go to the storage's staging file for
 * the key (a temp name beside the final one for a local archive, a local file for S3) through
 * avsc's BlockEncoder (header with the writer schema and metadata, deflate blocks); close() ends
 * the encoder, writes out and puts the file (storage.put: fsync and rename, or an upload), so it
 * is durable under its key. Until then it is not part of the archive (start-up recovery clears
 * staged files).
 */
export class ArchiveFile {
  readonly key: string;
  readonly temp: string;
  private readonly storage: ArchiveStorage;
  private readonly fh: FileHandle;
  private readonly encoder: avro.streams.BlockEncoder;
  private chain: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private ended: Promise<void>;
  /** Bytes handed to the file so far (compressed blocks and the header). */
  bytes = 0;

  private constructor(storage: ArchiveStorage, key: string, temp: string, fh: FileHandle, encoder: avro.streams.BlockEncoder) {
    this.storage = storage;
    this.key = key;
    this.temp = temp;
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

  /** Opens the staging file of `key` (replacing one left by an aborted write of this process). */
  static async open(
    storage: ArchiveStorage,
    key: string,
    type: avro.Type,
    opts: { codec: 'deflate' | 'null'; metadata: Record<string, Buffer>; blockSize?: number },
  ): Promise<ArchiveFile> {
    const temp = await storage.staging(key);
    const fh = await open(temp, 'w');
    const encoder = new avro.streams.BlockEncoder(type, {
      codec: opts.codec,
      metadata: opts.metadata,
      blockSize: opts.blockSize ?? 256 * 1024,
      writeHeader: 'always',
    } as never);
    return new ArchiveFile(storage, key, temp, fh, encoder);
  }

  write(record: unknown): void {
    if (this.failure) throw this.failure;
    this.encoder.write(record);
  }

  /** Waits until what was written so far is in the file's buffers (not yet fsynced). */
  async drain(): Promise<void> {
    // The encoder hands over full blocks on a later turn of the event loop.
    await nextTurn();
    await this.chain;
    if (this.failure) throw this.failure;
  }

  /** Makes the file durable under its key (storage.put: the staged file is gone afterwards). */
  async close(): Promise<void> {
    this.encoder.end();
    await this.ended;
    await this.chain;
    if (this.failure) throw this.failure;
    await this.fh.close();
    await this.storage.put(this.key, this.temp);
  }

  /** Drops the file: its records were never durable and their offsets never committed. */
  async abort(): Promise<void> {
    this.encoder.destroy();
    await this.chain.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }
}
