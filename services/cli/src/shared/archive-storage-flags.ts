import { type ArchiveStorage, archiveStorageConfigOf, openArchiveStorage, SluiceError } from '@sluice/core';

/**
 * The flags that name an archive, the same for every command that reads or writes one
 * (`sluice archive`, and any other command that adopts them): --path <dir>, or --url
 * s3://bucket/prefix with --s3-* for the rest. The secret comes from a file or
 * SLUICE_ARCHIVE_S3_SECRET_ACCESS_KEY, never from a flag (flags show in `ps`); the other
 * SLUICE_ARCHIVE_S3_* variables of the archive sink fill flags not given.
 */
export const ARCHIVE_STORAGE_OPTIONS = {
  path: { type: 'string' },
  url: { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  's3-access-key-id': { type: 'string' },
  's3-secret-access-key-file': { type: 'string' },
  's3-staging-path': { type: 'string' },
} as const;

export const ARCHIVE_STORAGE_HELP = `  --path <dir>             the archive in a local directory (the sink's target.path)
  --url s3://bucket/prefix the archive in an S3-compatible bucket (the sink's target.s3), with:
  --s3-endpoint <url>      the server (http(s)://host:port; AWS without); SLUICE_ARCHIVE_S3_ENDPOINT
  --s3-region <region>     default us-east-1; SLUICE_ARCHIVE_S3_REGION
  --s3-access-key-id <id>  SLUICE_ARCHIVE_S3_ACCESS_KEY_ID; without it, the AWS SDK's own chain
  --s3-secret-access-key-file <file>   or SLUICE_ARCHIVE_S3_SECRET_ACCESS_KEY (never a flag)`;

export interface ArchiveStorageFlags {
  path?: string;
  url?: string;
  's3-endpoint'?: string;
  's3-region'?: string;
  's3-access-key-id'?: string;
  's3-secret-access-key-file'?: string;
  's3-staging-path'?: string;
}

/** The archive the flags (and SLUICE_ARCHIVE_S3_* variables) name; CONFIG_INVALID naming the flag when they do not. */
export function archiveStorageFromFlags(
  command: string,
  f: ArchiveStorageFlags,
  env: NodeJS.ProcessEnv = process.env,
): ArchiveStorage {
  if (!!f.path === !!f.url) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice ${command}: give one of --path <dir> and --url s3://bucket/prefix (the archive sink's target.path or target.s3)`,
    );
  }
  if (f.path) return openArchiveStorage({ path: f.path });
  const url = f.url as string;
  if (!url.startsWith('s3://'))
    throw new SluiceError('CONFIG_INVALID', `sluice ${command}: --url takes s3://bucket/prefix, not ${url}`);
  const endpoint = f['s3-endpoint'] ?? env.SLUICE_ARCHIVE_S3_ENDPOINT;
  const region = f['s3-region'] ?? env.SLUICE_ARCHIVE_S3_REGION;
  const accessKeyId = f['s3-access-key-id'] ?? env.SLUICE_ARCHIVE_S3_ACCESS_KEY_ID;
  const secretFile = f['s3-secret-access-key-file'];
  const secret = env.SLUICE_ARCHIVE_S3_SECRET_ACCESS_KEY;
  const cfg = archiveStorageConfigOf(url, {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(accessKeyId ? { accessKeyId } : {}),
    ...(secretFile ? { secretAccessKeyFile: secretFile } : secret ? { secretAccessKey: secret } : {}),
    ...(f['s3-staging-path'] ? { stagingPath: f['s3-staging-path'] } : {}),
  });
  return openArchiveStorage(cfg);
}
