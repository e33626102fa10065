import { z } from 'zod';
import { SluiceError } from '../errors.ts';
import { type ArchiveStorage, LocalArchiveStorage } from './archive-storage.ts';
import { S3ArchiveStorage } from './s3/s3-archive-storage.ts';
import { type S3StorageConfig, type S3StorageInput, s3Section } from './s3/s3-config.ts';

/**
 * Where an archive is, as every part of sluice gives it (target.path / target.s3 of an archive
 * sink; --path, --url and --s3-* of the CLI): a local directory, or an S3 bucket and prefix.
 * Exactly one of the two.
 */
export interface ArchiveStorageConfig {
  path?: string;
  s3?: S3StorageConfig;
}

/** The fields of an archive's storage in a config schema (with oneArchiveStorage as a refinement). */
export const archiveStorageFields = {
  /** A local directory (created if missing). */
  path: z.string().min(1).optional(),
  /** An S3-compatible bucket (s3/s3-config.ts). */
  s3: s3Section.optional(),
};

/** Refuses a config with both or neither of path and s3, naming the fields. */
export function oneArchiveStorage(v: { path?: unknown; s3?: unknown }, ctx: z.RefinementCtx): void {
  if (!!v.path === !!v.s3) {
    ctx.addIssue({
      code: 'custom',
      path: [v.path ? 's3' : 'path'],
      message: v.path
        ? 'give one of path (a local directory) and s3 (a bucket), not both'
        : 'required: path (a local directory) or s3 (a bucket: s3.bucket, s3.endpoint, ...)',
    });
  }
}

/** The storage kind the config names: LocalArchiveStorage or S3ArchiveStorage. */
export function openArchiveStorage(cfg: ArchiveStorageConfig): ArchiveStorage {
  if (cfg.s3 && !cfg.path) return new S3ArchiveStorage(cfg.s3);
  if (cfg.path && !cfg.s3) return new LocalArchiveStorage(cfg.path);
  throw new SluiceError('CONFIG_INVALID', 'an archive is a local path or an s3 bucket: give exactly one');
}

/**
 * An archive given as one string (the CLI's --url): `s3://bucket/prefix` (with the other S3
 * settings from `s3`), a `file://` URL or a plain path.
 */
export function archiveStorageConfigOf(url: string, s3: Omit<S3StorageInput, 'bucket' | 'prefix'> = {}): ArchiveStorageConfig {
  if (url.startsWith('file://')) return { path: decodeURIComponent(new URL(url).pathname) };
  if (!url.startsWith('s3://')) return { path: url };
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  const parsed = s3Section.safeParse({ ...s3, bucket: m?.[1] ?? '', prefix: m?.[2] ?? '' });
  if (!parsed.success) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `archive ${url}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'url'}: ${i.message}`).join('; ')}`,
    );
  }
  return { s3: parsed.data };
}
