import { createHash } from 'node:crypto';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { nodeTlsOptions } from '../../net/tls-options.ts';
import { TEMP_SUFFIX } from '../archive-layout.ts';
import type { ArchiveStorage } from '../archive-storage.ts';
import type { S3StorageConfig } from './s3-config.ts';
import { s3Error } from './s3-errors.ts';

const enoent = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The archive in an S3-compatible bucket under a key prefix (s3-config.ts). A PUT is atomic (a
 * reader sees the old object or the new one) and durable once answered, so write() and put() keep
 * the ArchiveStorage contract as the local kind's rename does; files larger than partBytes go up
 * in parts (multipart upload, one part in memory at a time), aborted when a part fails. Staging
 * is a local directory (stagingPath, default under the OS temp directory, one per bucket and
 * prefix); what was staged and never put is cleared at start-up. Multipart uploads a crash left
 * unfinished are invisible and cost only space: a lifecycle rule (AbortIncompleteMultipartUpload)
 * removes them.
 */
export class S3ArchiveStorage implements ArchiveStorage {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly root: string;
  private readonly partBytes: number;
  private readonly stagingDir: string;
  private readonly endpoint: string;

  constructor(cfg: S3StorageConfig) {
    this.bucket = cfg.bucket;
    this.root = cfg.prefix ? `${cfg.prefix}/` : '';
    this.location = `s3://${cfg.bucket}/${cfg.prefix}`;
    this.partBytes = cfg.partBytes;
    this.endpoint = cfg.endpoint ?? `AWS S3 (${cfg.region})`;
    this.stagingDir =
      cfg.stagingPath ??
      join(
        tmpdir(),
        'sluice-archive-staging',
        createHash('sha256')
          .update(`${cfg.endpoint ?? ''}\n${this.location}`)
          .digest('hex')
          .slice(0, 16),
      );
    const secret = cfg.secretAccessKey ?? cfg.secretAccessKeyFile;
    const https = cfg.endpoint ? new URL(cfg.endpoint).protocol === 'https:' : true;
    this.client = new S3Client({
      region: cfg.region,
      ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
      forcePathStyle: cfg.forcePathStyle ?? !!cfg.endpoint,
      ...(cfg.accessKeyId && secret ? { credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: secret.reveal() } } : {}),
      // Checksums only where S3 requires them: S3-compatible servers differ in the newer trailing ones.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The SDK retries 5xx, throttling and network errors with jittered backoff; then ours say ARCHIVE_STORAGE.
      maxAttempts: 4,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: 5_000,
        requestTimeout: 120_000,
        ...(https
          ? { httpsAgent: new HttpsAgent({ keepAlive: true, ...(cfg.tls ? nodeTlsOptions(cfg.tls) : {}) }) }
          : { httpAgent: new HttpAgent({ keepAlive: true }) }),
      }),
    });
  }

  private key(key: string): string {
    if (key.split('/').some((s) => s === '..' || s === '.')) throw new Error(`archive key ${key} leaves the archive`);
    return `${this.root}${key}`;
  }

  private where(key: string): string {
    return `s3://${this.bucket}/${this.root}${key} at ${this.endpoint}`;
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    // Whole segments, as a directory lists: `db/t` is `db/t/`, never `db/tab/`.
    const Prefix = this.key(prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix);
    let token: string | undefined;
    do {
      const r = await this.client
        .send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken: token }))
        .catch((err) => {
          throw s3Error(err, 'ListObjectsV2', this.where(prefix));
        });
      for (const o of r.Contents ?? []) if (o.Key?.startsWith(this.root)) out.push(o.Key.slice(this.root.length));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return Buffer.from((await r.Body?.transformToByteArray()) ?? []);
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw s3Error(err, 'GetObject', this.where(key));
    }
  }

  async stream(key: string): Promise<Readable> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) })).catch((err) => {
      throw s3Error(err, 'GetObject', this.where(key));
    });
    if (!r.Body) throw s3Error(new Error('no body in the answer'), 'GetObject', this.where(key));
    return r.Body instanceof Readable ? r.Body : Readable.fromWeb(r.Body.transformToWebStream() as never);
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    await this.putObject(key, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  private async putObject(key: string, body: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body })).catch((err) => {
      throw s3Error(err, 'PutObject', this.where(key));
    });
  }

  async staging(key: string): Promise<string> {
    this.key(key);
    const path = join(this.stagingDir, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    return `${path}${TEMP_SUFFIX}`;
  }

  async put(key: string, localPath: string): Promise<void> {
    const size = (await stat(localPath)).size;
    const fh = await open(localPath, 'r');
    try {
      if (size <= this.partBytes) {
        const body = Buffer.alloc(size);
        await fh.read(body, 0, size, 0);
        await this.putObject(key, body);
      } else {
        await this.putInParts(key, fh, size);
      }
    } finally {
      await fh.close();
    }
    await unlink(localPath);
  }

  private async putInParts(key: string, fh: import('node:fs/promises').FileHandle, size: number): Promise<void> {
    const Key = this.key(key);
    const fail = (op: string) => (err: unknown) => {
      throw s3Error(err, op, this.where(key));
    };
    const { UploadId } = await this.client
      .send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }))
      .catch(fail('CreateMultipartUpload'));
    try {
      const parts: { ETag: string | undefined; PartNumber: number }[] = [];
      const buf = Buffer.alloc(this.partBytes);
      for (let at = 0, n = 1; at < size; at += this.partBytes, n++) {
        const len = Math.min(this.partBytes, size - at);
        await fh.read(buf, 0, len, at);
        // A copy: the SDK may hold the body for a retry while the next part is read.
        const r = await this.client
          .send(
            new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber: n, Body: Buffer.from(buf.subarray(0, len)) }),
          )
          .catch(fail(`UploadPart ${n}`));
        parts.push({ ETag: r.ETag, PartNumber: n });
      }
      await this.client
        .send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }))
        .catch(fail('CompleteMultipartUpload'));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async remove(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const r = await this.client
        .send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: chunk.map((k) => ({ Key: this.key(k) })), Quiet: true },
          }),
        )
        .catch((err) => {
          throw s3Error(err, 'DeleteObjects', this.where(chunk[0] ?? ''));
        });
      const failed = (r.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length) {
        const f = failed[0];
        throw s3Error(
          Object.assign(new Error(f?.Message ?? 'delete failed'), { name: f?.Code ?? 'Error', $fault: 'client' }),
          `DeleteObjects (${failed.length} of ${chunk.length})`,
          this.where((f?.Key ?? '').slice(this.root.length)),
        );
      }
    }
  }

  async clearStaging(): Promise<string[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(this.stagingDir, { withFileTypes: true, recursive: true });
    } catch (err) {
      if (enoent(err)) return [];
      throw err;
    }
    const removed: string[] = [];
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith(TEMP_SUFFIX)) continue;
      const path = join(e.parentPath, e.name);
      await unlink(path);
      removed.push(relative(this.stagingDir, path).split(sep).join('/').slice(0, -TEMP_SUFFIX.length));
    }
    return removed.sort();
  }

  /** Closes the client's connections (a CLI run ends with it). */
  async close(): Promise<void> {
    this.client.destroy();
  }
}
