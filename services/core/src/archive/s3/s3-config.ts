import { z } from 'zod';
import { secretFile, secretText } from '../../config/secret.ts';
import { tlsSection } from '../../config/tls.ts';

/** S3's rule for bucket names (3-63 lower-case letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `s3:` of an archive (target.s3 of an archive sink, the CLI's --url and --s3-* flags): an
 * S3-compatible bucket (AWS S3, SeaweedFS, Ceph, ...) under a key prefix. Credentials come from
 * accessKeyId with secretAccessKey (or secretAccessKeyFile, or SLUICE_ARCHIVE_S3_SECRET_ACCESS_KEY);
 * without them, from the AWS SDK's own chain (AWS_ACCESS_KEY_ID, ~/.aws, a pod's web identity).
 */
export const s3Section = z
  .object({
    bucket: z.string().regex(BUCKET, 'an S3 bucket name: 3-63 lower-case letters, digits, . and -'),
    /** Keys go under this prefix (`a/b` puts the archive at s3://bucket/a/b/...). */
    prefix: z
      .string()
      .default('')
      .transform((p) => p.replace(/^\/+|\/+$/g, ''))
      .refine((p) => !p.split('/').some((s) => s === '.' || s === '..' || (s === '' && p !== '')), 'no empty, . or .. segments'),
    /** The server's URL (http(s)://host:port) for an S3-compatible server; AWS's own when absent. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    region: z.string().min(1).default('us-east-1'),
    /** Bucket in the path (http://host/bucket/key), as most S3-compatible servers want; default: true with an endpoint. */
    forcePathStyle: z.boolean().optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: secretText.optional(),
    secretAccessKeyFile: secretFile.optional(),
    /** TLS to an https endpoint (a private CA, a client certificate): as for every server (docs/tls.md). */
    tls: tlsSection.optional(),
    /** Files larger than this are put in parts of this size (multipart upload); also the memory a put holds. */
    partBytes: z
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .max(512 * 1024 * 1024)
      .default(16 * 1024 * 1024),
    /** A local directory where files are written before they are put; default under the OS temp directory. */
    stagingPath: z.string().min(1).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.secretAccessKey && v.secretAccessKeyFile) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretAccessKeyFile'],
        message: 'secretAccessKey is set too (in the file or by SLUICE_ARCHIVE_S3_SECRET_ACCESS_KEY): give one of them',
      });
    }
    const secret = !!(v.secretAccessKey ?? v.secretAccessKeyFile);
    if (secret !== !!v.accessKeyId) {
      ctx.addIssue({
        code: 'custom',
        path: [v.accessKeyId ? 'secretAccessKey' : 'accessKeyId'],
        message:
          'accessKeyId and a secret (secretAccessKey or secretAccessKeyFile) go together: give both, or neither for the AWS default chain',
      });
    }
  });

export type S3StorageConfig = z.infer<typeof s3Section>;
export type S3StorageInput = z.input<typeof s3Section>;
