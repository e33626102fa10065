import {
  COMPATIBILITY_LEVELS,
  type EnvOverride,
  HTTP_DEFAULTS,
  httpSection,
  KAFKA_CLIENTS,
  kafkaSection,
  loadConfig,
  mysqlEndpoint,
  registrySection,
  SECRET_ENV,
  topicPrefix,
} from '@sluice/core';
import { z } from 'zod';
import { ONLINE_DDL_TABLES } from './source/online-ddl.ts';

const pattern = z.string().regex(/^[^.\s]+\.[^.\s]+$/, 'expected <database>.<table>, with * and ? as wildcards');

export const captureConfigSchema = z.object({
  /** Names the capture: its checkpoint key and its Kafka transactional id. */
  captureId: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('sluice-capture'),
  /** The source: url, and optionally tls and password / passwordFile (docs/tls.md). */
  source: mysqlEndpoint.extend({
    /**
     * binlog: MySQL and MariaDB, from the binlog. tidb: TiDB (no binlog), by consistent reads at
     * a TSO in cycles: changes by a change column, deletes by key checksums (docs/tidb-source.md).
     */
    kind: z.enum(['binlog', 'tidb']).default('binlog'),
    /** The query capture's cycle (source.kind tidb). */
    query: z
      .object({
        /** Time between the read points of two cycles: how fresh targets can be, and how often tables are scanned. */
        intervalMs: z.number().int().min(100).max(600_000).default(1000),
        /**
         * `db.table` -> the column every write moves forward (TIMESTAMP or DATETIME ... ON UPDATE
         * CURRENT_TIMESTAMP). Found by itself when a table has one such column; a table without
         * one is compared whole, range by range, every cycle.
         */
        changeColumns: z
          .record(z.string().regex(/^[^.\s]+\.[^.\s]+$/, 'expected <database>.<table>'), z.string().min(1))
          .default({}),
        /** Margin for clocks between TiDB servers (and statement vs. transaction start) in the change-column bound. */
        overlapMs: z.number().int().min(0).default(5000),
        /** Rows per key range whose checksums are compared between two read points. */
        chunkRows: z.number().int().min(100).max(1_000_000).default(10_000),
        /** A checkpoint at least this often while nothing changes, so a restart's read point stays within tidb_gc_life_time. */
        idleCheckpointMs: z.number().int().min(1000).default(30_000),
      })
      .default({ intervalMs: 1000, changeColumns: {}, overlapMs: 5000, chunkRows: 10_000, idleCheckpointMs: 30_000 }),
    /** The replica server id this capture uses on the binlog connection; unique per source. */
    serverId: z.number().int().min(1).max(4294967295).default(54001),
    /** DML logged as a statement on a captured table: stop (SOURCE_STATEMENT_DML), or log it at error level and go on. */
    onStatementDml: z.enum(['stop', 'warn']).default('stop'),
    /** Rows a session logged with binlog_row_image MINIMAL/NOBLOB: stop (SOURCE_PARTIAL_ROW_IMAGE), or log at error level and go on without them. */
    onPartialRowImage: z.enum(['stop', 'warn']).default('stop'),
  }),
  kafka: kafkaSection.extend({
    /**
     * How long a Kafka transaction may stay open. A source transaction too large to hold is
     * streamed into one, open while it is read: at most the brokers' transaction.max.timeout.ms.
     */
    transactionTimeoutMs: z.number().int().min(10_000).default(900_000),
    /**
     * The client under the transactional producer: Confluent's librdkafka client (built by make
     * install; about 4x kafkajs' transactional produce at under a third of its CPU), or kafkajs.
     */
    client: z.enum(KAFKA_CLIENTS).default('confluent'),
  }),
  schemaRegistry: registrySection.extend({
    /**
     * The compatibility level set on every table's key and value subject. NONE (the default):
     * sluice readers always decode with the writer's schema, and every DDL the source accepts
     * must stay publishable. A stricter level makes the registry refuse some DDLs
     * (SCHEMA_INCOMPATIBLE) and stops the capture there.
     */
    compatibility: z.enum(COMPATIBILITY_LEVELS).default('NONE'),
  }),
  topicPrefix,
  tables: z
    .object({
      include: z.array(pattern).default(['*.*']),
      exclude: z.array(pattern).default([]),
    })
    .default({ include: ['*.*'], exclude: [] }),
  /**
   * Online schema-change tools (gh-ost, pt-online-schema-change): their tables (these name
   * patterns, `*` standing for the altered table) are never captured, and the RENAME of one onto
   * its table (the cut-over) is published as an ALTER of that table (docs/ddl.md).
   */
  onlineDdl: z
    .object({
      enabled: z.boolean().default(true),
      tables: z
        .array(z.string().regex(/^[^*?.\s]*\*[^*?.\s]*$/, 'a table name pattern with exactly one *, e.g. _*_gho'))
        .default(ONLINE_DDL_TABLES),
    })
    .default({ enabled: true, tables: ONLINE_DDL_TABLES }),
  columns: z
    .object({
      /** `db.table.column` patterns (* and ?) never captured. Key columns cannot be excluded. */
      exclude: z.array(z.string().regex(/^[^.\s]+\.[^.\s]+\.[^.\s]+$/, 'expected <db>.<table>.<column>')).default([]),
      /** `db.table.column` patterns published as HMAC-SHA256(maskSalt, value), hex. */
      mask: z.array(z.string().regex(/^[^.\s]+\.[^.\s]+\.[^.\s]+$/, 'expected <db>.<table>.<column>')).default([]),
      maskSalt: z.string().min(16, 'use at least 16 characters').optional(),
    })
    .default({ exclude: [], mask: [] })
    .refine((c) => c.mask.length === 0 || !!c.maskSalt, { message: 'maskSalt is required when mask is set', path: ['maskSalt'] }),
  /**
   * Both directions at once (docs/bidirectional.md): transactions that write one of these tables
   * (`db.table`, the origin marker a sink with originMarker writes first in each of its
   * transactions, e.g. `_sluice.origin_marker`) came from a sink of the other direction and are
   * not captured, so no change is sent back where it came from.
   */
  skipTransactionsMarkedBy: z.array(z.string().regex(/^[^.\s*?]+\.[^.\s*?]+$/, 'expected <database>.<table>')).default([]),
  /** Declared unique keys for tables without a primary key: { "db.table": ["col", ...] }. */
  keys: z.record(z.string().regex(/^[^.\s]+\.[^.\s]+$/), z.array(z.string()).min(1)).default({}),
  /** Heartbeat records on <prefix>._heartbeats while the source is idle, so lag stays measurable. 0 = off. */
  heartbeatMs: z.number().int().min(0).default(10_000),
  topics: z
    .object({
      partitions: z.number().int().min(1).default(1),
      replicationFactor: z.number().int().min(1).default(1),
      /** compact keeps the last image per key, so a new target can be bootstrapped from Kafka. */
      cleanupPolicy: z.enum(['compact', 'delete']).default('compact'),
    })
    .default({ partitions: 1, replicationFactor: 1, cleanupPolicy: 'compact' }),
  snapshot: z
    .object({
      /**
       * initial: snapshot, then stream (DM "all"); never: stream only (DM "incremental");
       * when_needed: snapshot when there is no usable checkpoint (none, or its binlog was purged);
       * initial_only: snapshot, then stop (DM "full").
       */
      mode: z.enum(['initial', 'never', 'when_needed', 'initial_only']).default('initial'),
      /** Rows per chunk: each chunk is one Kafka transaction with its progress checkpoint. */
      chunkRows: z.number().int().min(1).max(1_000_000).default(5000),
    })
    .default({ mode: 'initial', chunkRows: 5000 }),
  /** Where streaming starts when there is no checkpoint and no snapshot (mode never). */
  startFrom: z
    .union([
      z.literal('now'),
      z.object({ gtid: z.string().min(1) }),
      z.object({
        file: z.string().regex(/^[^\s/]+\.\d+$/, 'a binlog file name such as binlog.000003'),
        pos: z.number().int().min(4),
      }),
      /** source.kind tidb: a TiDB read point (TSO, as `SELECT @@tidb_current_ts` shows it). */
      z.object({ tso: z.string().regex(/^\d{1,20}$/, 'a TiDB TSO: decimal digits, as SELECT @@tidb_current_ts shows it') }),
      /** The first transaction at or after this time (ISO 8601 with a zone: 2026-11-30T12:00:00Z). */
      z.object({ time: z.iso.datetime({ offset: true, message: 'an ISO 8601 time with a zone, such as 2026-11-30T12:00:00Z' }) }),
    ])
    .default('now'),
  /**
   * The largest Kafka record (key + value) capture publishes. Topics are created with a
   * max.message.bytes to match (and existing ones raised when a record needs it); a record over
   * it stops capture naming the table and key. An UPDATE carries the row twice (before, after).
   * It must fit the brokers' socket.request.max.bytes (100 MiB by default), checked at start-up.
   */
  maxRecordBytes: z
    .number()
    .int()
    .min(1024 * 1024)
    .max(1024 * 1024 * 1024)
    .default(64 * 1024 * 1024),
  /** Upper bound of memory queued ahead of Kafka (binlog bytes plus about 1 KiB per row); the binlog reader pauses above it. */
  queueMaxBytes: z
    .number()
    .int()
    .min(1024)
    // Counted as binlog bytes plus a cost per row (source/event-cost.ts), and the publisher
    // holds as much again of records: 4 MiB keeps a capture reading a backlog or a huge
    // transaction under 256 MB RSS (test/scenario/huge-transaction.test.ts).
    .default(4 * 1024 * 1024),
  http: httpSection.default(HTTP_DEFAULTS),
});

export type CaptureConfig = z.infer<typeof captureConfigSchema>;

export const CAPTURE_ENV: EnvOverride[] = [
  { env: 'SLUICE_CAPTURE_ID', path: 'captureId' },
  { env: 'SLUICE_SOURCE_URL', path: 'source.url' },
  { env: 'SLUICE_SOURCE_KIND', path: 'source.kind' },
  { env: 'SLUICE_SOURCE_SERVER_ID', path: 'source.serverId', kind: 'number' },
  { env: 'SLUICE_KAFKA_BROKERS', path: 'kafka.brokers', kind: 'list' },
  { env: 'SLUICE_KAFKA_CLIENT', path: 'kafka.client' },
  { env: 'SLUICE_SCHEMA_REGISTRY_URL', path: 'schemaRegistry.url' },
  { env: 'SLUICE_TOPIC_PREFIX', path: 'topicPrefix' },
  { env: 'SLUICE_TABLES_INCLUDE', path: 'tables.include', kind: 'list' },
  { env: 'SLUICE_TABLES_EXCLUDE', path: 'tables.exclude', kind: 'list' },
  { env: 'SLUICE_HTTP_PORT', path: 'http.port', kind: 'number' },
  { env: 'SLUICE_SNAPSHOT_MODE', path: 'snapshot.mode' },
  { env: 'SLUICE_MASK_SALT', path: 'columns.maskSalt' },
  { env: 'SLUICE_MAX_RECORD_BYTES', path: 'maxRecordBytes', kind: 'number' },
  { env: 'SLUICE_SOURCE_PASSWORD', path: 'source.password' },
  ...SECRET_ENV,
];

export function loadCaptureConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): CaptureConfig {
  return loadConfig(captureConfigSchema, { file, env, overrides: CAPTURE_ENV });
}
