import {
  type EnvOverride,
  HTTP_DEFAULTS,
  httpSection,
  kafkaSection,
  loadConfig,
  mysqlEndpoint,
  registrySection,
  SECRET_ENV,
  topicPrefix,
} from '@sluice/core';
import { z } from 'zod';
import { parseRowExpression } from './filter/row-expression.ts';

export const sinkConfigSchema = z.object({
  /** The sink's name is its consumer group id: one per target. */
  sinkName: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . and - only'),
  /** The target: url, and optionally tls and password / passwordFile (docs/tls.md). */
  target: mysqlEndpoint.extend({
    /** Where TiDB and MySQL/MariaDB differ, the dialect decides. */
    kind: z.enum(['mysql', 'mariadb', 'tidb']).default('mysql'),
    poolSize: z.number().int().min(1).max(64).default(4),
    /**
     * Bytes of Kafka records per target transaction (at most 8,192 records and 2 MiB either way): keeps
     * each transaction well under TiDB's txn-total-size-limit (100 MB by default).
     */
    maxTxnBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(32 * 1024 * 1024),
  }),
  kafka: kafkaSection,
  schemaRegistry: registrySection,
  topicPrefix,
  /** Source-to-target table mapping: renames and shard merges (first match wins). */
  routes: z
    .array(
      z.object({
        from: z.string().regex(/^[^.\s]+\.[^.\s]+$/, 'expected <db>.<table> with * and ?'),
        to: z.string().regex(/^[^.\s]+\.[^.\s]+$/, 'expected <db>.<table>; * takes what * matched in from'),
      }),
    )
    .default([]),
  /**
   * Schema changes: apply (create tables, follow the source's columns: add, modify, drop; apply
   * truncates), ignore (create missing tables; leave existing ones, write the columns they have),
   * stop (any difference stops the sink with a message naming it).
   */
  ddl: z.enum(['apply', 'ignore', 'stop']).default('apply'),
  /**
   * Event and row filters per source table (filter/event-filter.ts, docs/configuration.md): the
   * first filter whose `tables` match a table applies. `skip` drops operations (a target that
   * keeps deleted rows skips delete); `where` keeps only rows for which it is true (the target
   * holds the source's rows that satisfy it; a row updated out of it is deleted in the target).
   */
  filters: z
    .array(
      z.object({
        tables: z.array(z.string().regex(/^[^.\s]+\.[^.\s]+$/, 'expected <db>.<table> with * and ?')).min(1),
        skip: z.array(z.enum(['insert', 'update', 'delete', 'truncate', 'drop_table'])).default([]),
        where: z
          .string()
          .min(1)
          .superRefine((text, ctx) => {
            try {
              parseRowExpression(text);
            } catch (err) {
              ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^CONFIG_INVALID: /, '') });
            }
          })
          .optional(),
      }),
    )
    .default([]),
  /** A record that cannot be decoded or applied: to the DLQ topic and go on, or stop the sink there. */
  onError: z.enum(['dlq', 'stop']).default('stop'),
  /**
   * Only overwrite a row with a change from a later source position (kept in side tables of
   * checkpointSchema), so that a replay never moves a row backwards. Assumes one source lineage.
   */
  staleWriteGuard: z.boolean().default(false),
  /**
   * Both directions at once (docs/bidirectional.md): every target transaction of this sink first
   * writes a row of `<checkpointSchema>.origin_marker`, by which the capture of the target server
   * (capture `skipTransactionsMarkedBy`) knows the transaction came from this sink and does not
   * send it back.
   */
  originMarker: z.boolean().default(false),
  /** Where the checkpoint table lives in the target. */
  checkpointSchema: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/)
    .default('_sluice'),
  /** Partitions applied in parallel (order per key is kept: a key lives in one partition). */
  parallelism: z.number().int().min(1).max(64).default(2),
  /**
   * How long rows of a renamed table's new name wait for the rename (applied from the old name's
   * topic) before the wait is an error the operator sees (RENAME_NOT_APPLIED, docs/ddl.md).
   */
  renameWaitMs: z.number().int().min(1000).default(300_000),
  /** How often to look for new table topics (a table created on the source gets one). */
  topicRefreshMs: z.number().int().min(200).default(2000),
  http: httpSection.default(HTTP_DEFAULTS),
});

export type SinkConfig = z.infer<typeof sinkConfigSchema>;

export const SINK_ENV: EnvOverride[] = [
  { env: 'SLUICE_SINK_NAME', path: 'sinkName' },
  { env: 'SLUICE_TARGET_URL', path: 'target.url' },
  { env: 'SLUICE_TARGET_KIND', path: 'target.kind' },
  { env: 'SLUICE_KAFKA_BROKERS', path: 'kafka.brokers', kind: 'list' },
  { env: 'SLUICE_SCHEMA_REGISTRY_URL', path: 'schemaRegistry.url' },
  { env: 'SLUICE_TOPIC_PREFIX', path: 'topicPrefix' },
  { env: 'SLUICE_HTTP_PORT', path: 'http.port', kind: 'number' },
  { env: 'SLUICE_ON_ERROR', path: 'onError' },
  { env: 'SLUICE_DDL', path: 'ddl' },
  { env: 'SLUICE_TARGET_PASSWORD', path: 'target.password' },
  ...SECRET_ENV,
];

export function loadSinkConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): SinkConfig {
  return loadConfig(sinkConfigSchema, { file, env, overrides: SINK_ENV });
}
