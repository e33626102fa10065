import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../errors.ts';
import { archiveStorageConfigOf, openArchiveStorage } from '../open-archive-storage.ts';
import { S3ArchiveStorage } from './s3-archive-storage.ts';
import { s3Error } from './s3-errors.ts';

describe('S3 archive storage, without a server', () => {
  it('is chosen by s3://bucket/prefix; the location never holds credentials', () => {
    const cfg = archiveStorageConfigOf('s3://arch/a/b/', {
      endpoint: 'http://127.0.0.1:18333',
      accessKeyId: 'id',
      secretAccessKey: 'hush',
    });
    expect(cfg.s3).toMatchObject({ bucket: 'arch', prefix: 'a/b', region: 'us-east-1', partBytes: 16 << 20 });
    const s = openArchiveStorage(cfg);
    expect(s).toBeInstanceOf(S3ArchiveStorage);
    expect(s.location).toBe('s3://arch/a/b');
    expect(JSON.stringify(cfg)).not.toContain('hush');
    expect(archiveStorageConfigOf('/srv/archive')).toEqual({ path: '/srv/archive' });
    expect(() => archiveStorageConfigOf('s3://No_Such/x')).toThrow(/bucket/);
    expect(() => openArchiveStorage({})).toThrow(/exactly one/);
  });

  it('maps S3 errors to ARCHIVE_STORAGE_REFUSED (credentials, permissions, bucket) or ARCHIVE_STORAGE (network, 5xx)', () => {
    const sdk = (name: string, status: number | undefined, fault: 'client' | 'server') =>
      Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
    const bad = s3Error(sdk('SignatureDoesNotMatch', 403, 'client'), 'PutObject', 's3://b/k at http://h');
    expect(bad).toBeInstanceOf(SluiceError);
    expect([bad.code, bad.retriable]).toEqual(['ARCHIVE_STORAGE_REFUSED', false]);
    expect(bad.message).toMatch(
      /PutObject of s3:\/\/b\/k at http:\/\/h failed: SignatureDoesNotMatch \(HTTP 403\).*check accessKeyId/,
    );
    expect(s3Error(sdk('NoSuchBucket', 404, 'client'), 'ListObjectsV2', 'x').code).toBe('ARCHIVE_STORAGE_REFUSED');
    expect(s3Error(sdk('InternalError', 500, 'server'), 'PutObject', 'x').code).toBe('ARCHIVE_STORAGE');
    expect(s3Error(sdk('SlowDown', 503, 'server'), 'PutObject', 'x').retriable).toBe(true);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(s3Error(refused, 'GetObject', 'x').code).toBe('ARCHIVE_STORAGE');
  });
});
