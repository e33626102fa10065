import { SluiceError } from '../../errors.ts';
import { isNetworkError } from '../../net-errors.ts';

/** S3 error names that retrying cannot change: credentials, permissions, a missing bucket, a bad request. */
const REFUSED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AllAccessDisabled',
  'NoSuchBucket',
  'InvalidBucketName',
  'InvalidRequest',
  'AuthorizationHeaderMalformed',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
  'NoSuchKey',
]);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/**
 * An S3 client error as a SluiceError naming the operation, the bucket and key and the endpoint
 * (never a credential: the SDK's messages carry none, and the request is not printed):
 * ARCHIVE_STORAGE_REFUSED for what retrying cannot change (403, a missing bucket, 4xx),
 * ARCHIVE_STORAGE for network errors, timeouts, 5xx and throttling (the SDK retried those already).
 */
export function s3Error(err: unknown, op: string, where: string): SluiceError {
  if (err instanceof SluiceError) return err;
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
  const refused =
    REFUSED.has(name) ||
    status === 401 ||
    status === 403 ||
    (e.$fault === 'client' && status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429);
  const transient = !refused && (isNetworkError(err) || e.$fault === 'server' || status === undefined || status >= 500);
  const hint =
    name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch'
      ? ' (the server does not accept the access key and secret: check accessKeyId and secretAccessKey)'
      : name === 'NoSuchBucket'
        ? ' (create the bucket, or fix s3.bucket)'
        : '';
  return new SluiceError(
    refused || !transient ? 'ARCHIVE_STORAGE_REFUSED' : 'ARCHIVE_STORAGE',
    `S3 ${op} of ${where} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}${hint}`,
    { cause: err },
  );
}
