import {
  archiveStorageFields,
  type EnvOverride,
  HTTP_DEFAULTS,
  httpSection,
  kafkaSection,
  loadConfig,
  oneArchiveStorage,
  readConfigFile,
  registrySection,
  SECRET_ENV,
  topicPrefix,
} from '@sluice/core';
import { z } from 'zod';

const tablePattern = z.string().regex(/^[^.\s]+\.[^.\s]+$/, 'expected <db>.<table> with * and ?');

/**
 * An archive sink (`target.kind: archive`, docs/backup.md): the same consumer group, decoding,
 * DLQ and health as a SQL sink, writing every change to Avro object container files in a local
 * directory (`target.path`) or an S3 bucket (`target.s3`) instead of applying it to a database.
 */
export const archiveSinkConfigSchema = z.object({
  /** The consumer group id, as for every sink. */
  sinkName: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . and - only'),
  target: z
    .object({
      kind: z.literal('archive'),
      /** Where the archive is: path (a local directory, created if missing) or s3 (a bucket), one of them. */
      ...archiveStorageFields,
      /** A file is closed (made durable, offsets committed) once its compressed bytes reach this. */
      maxFileBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .default(128 * 1024 * 1024),
      /**
       * ... or once it has been open this long: the most a partition's offsets stay uncommitted, and
       * the most a crash makes the sink read again.
       */
      maxFileAgeMs: z.number().int().min(100).default(60_000),
      /** Avro block codec: deflate (node:zlib) or null. */
      codec: z.enum(['deflate', 'null']).default('deflate'),
      /** What the sink removes, checked at start and every checkEveryMs (docs/backup.md, retention); nothing without archiveDays. */
      retention: z
        .object({
          /** Files whose newest change is older than this many days go, unless a kept base needs them. */
          archiveDays: z.number().positive().optional(),
          /** The newest this many base backups protect the files after them (older ones: sluice archive prune). */
          keepBases: z.number().int().min(1).optional(),
          checkEveryMs: z.number().int().min(1_000).default(3_600_000),
        })
        .default({ checkEveryMs: 3_600_000 }),
    })
    .superRefine(oneArchiveStorage),
  kafka: kafkaSection,
  schemaRegistry: registrySection,
  topicPrefix,
  /** Which source tables are archived (`<db>.<table>` patterns with * and ?; exclude wins). */
  tables: z
    .object({
      include: z.array(tablePattern).default(['*.*']),
      exclude: z.array(tablePattern).default([]),
    })
    .default({ include: ['*.*'], exclude: [] }),
  /** A record that cannot be decoded: to the DLQ topic and go on, or stop the sink there. */
  onError: z.enum(['dlq', 'stop']).default('stop'),
  /**
   * The consumer's session timeout: how long the group waits for a member that stopped answering
   * (a killed archive sink) before its partitions go to the others or to its successor.
   */
  sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(10_000),
  /** Partitions handled in parallel. */
  parallelism: z.number().int().min(1).max(64).default(2),
  topicRefreshMs: z.number().int().min(200).default(2000),
  http: httpSection.default(HTTP_DEFAULTS),
});

export type ArchiveSinkConfig = z.infer<typeof archiveSinkConfigSchema>;

export const ARCHIVE_SINK_ENV: EnvOverride[] = [
  { env: 'SLUICE_SINK_NAME', path: 'sinkName' },
  { env: 'SLUICE_TARGET_KIND', path: 'target.kind' },
  { env: 'SLUICE_ARCHIVE_PATH', path: 'target.path' },
  { env: 'SLUICE_ARCHIVE_S3_BUCKET', path: 'target.s3.bucket' },
  { env: 'SLUICE_ARCHIVE_S3_PREFIX', path: 'target.s3.prefix' },
  { env: 'SLUICE_ARCHIVE_S3_ENDPOINT', path: 'target.s3.endpoint' },
  { env: 'SLUICE_ARCHIVE_S3_REGION', path: 'target.s3.region' },
  { env: 'SLUICE_ARCHIVE_S3_ACCESS_KEY_ID', path: 'target.s3.accessKeyId' },
  // A secret: set as the file's field would be, never logged (Secret).
  { env: 'SLUICE_ARCHIVE_S3_SECRET_ACCESS_KEY', path: 'target.s3.secretAccessKey' },
  { env: 'SLUICE_KAFKA_BROKERS', path: 'kafka.brokers', kind: 'list' },
  { env: 'SLUICE_SCHEMA_REGISTRY_URL', path: 'schemaRegistry.url' },
  { env: 'SLUICE_TOPIC_PREFIX', path: 'topicPrefix' },
  { env: 'SLUICE_HTTP_PORT', path: 'http.port', kind: 'number' },
  { env: 'SLUICE_ON_ERROR', path: 'onError' },
  ...SECRET_ENV,
];

/** Whether a sink's config (file or SLUICE_TARGET_KIND) asks for an archive sink. */
export function isArchiveSink(file: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.SLUICE_TARGET_KIND) return env.SLUICE_TARGET_KIND === 'archive';
  if (!file) return false;
  const target = readConfigFile(file).values.target as { kind?: unknown } | undefined;
  return target?.kind === 'archive';
}

export function loadArchiveSinkConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): ArchiveSinkConfig {
  return loadConfig(archiveSinkConfigSchema, { file, env, overrides: ARCHIVE_SINK_ENV });
}
