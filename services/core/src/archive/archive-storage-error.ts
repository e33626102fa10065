import { SluiceError } from '../errors.ts';

/** Local file system errors that retrying cannot change: permissions, a read-only or wrong path. */
const REFUSED = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR']);

/**
 * Any failure of an archive's storage as a SluiceError: an S3 one already is (s3Error); a local
 * one becomes ARCHIVE_STORAGE_REFUSED (permissions, read-only) or ARCHIVE_STORAGE (a full disk,
 * an I/O error: may pass), naming where.
 */
export function archiveStorageError(err: unknown, location: string): SluiceError {
  if (err instanceof SluiceError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  return new SluiceError(
    code && REFUSED.has(code) ? 'ARCHIVE_STORAGE_REFUSED' : 'ARCHIVE_STORAGE',
    `archive at ${location}: ${(err as Error)?.message ?? String(err)}`,
    { cause: err },
  );
}
