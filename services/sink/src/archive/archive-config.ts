import {
  type EnvOverride,
  HTTP_DEFAULTS,
  httpSection,
  kafkaSection,
  loadConfig,
  readConfigFile,
  registrySection,
  SECRET_ENV,
  topicPrefix,
} from '@sluice/core';
import { z } from 'zod';

const tablePattern = z.string().regex(/^[^.\s]+\.[^.\s]+$/, 'expected <db>.<table> with * and ?');

/**
 * An archive sink (`target.kind: archive`, docs/backup.md): the same consumer group, decoding,
 * DLQ and health as a SQL sink, writing every change to Avro object container files under
 * `target.path` instead of applying it to a database.
 */
export const archiveSinkConfigSchema = z.object({
  /** The consumer group id, as for every sink. */
  sinkName: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . and - only'),
  target: z.object({
    kind: z.literal('archive'),
    /** The archive's root directory (local; created if missing). */
    path: z.string().min(1),
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
  }),
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
