/**
 * The one error type of sluice. Every failure that crosses a module boundary is a SluiceError
 * with a code from ERROR_CODES, so that retry decisions, dead-lettering and docs all key on the
 * code and never on message text.
 */
export const ERROR_CODES = {
  // config: the service cannot start with what it was given.
  CONFIG_INVALID: {
    retriable: false,
    fix: 'Correct each named key, value or flag (at the line shown, or in the named environment variable); an unknown key or flag is refused, usually a misspelling of the one suggested.',
  },
  CONFIG_FILE_UNREADABLE: {
    retriable: false,
    fix: 'Check the path given with --config (or SLUICE_CONFIG): that the file exists, is a file, and is readable by the user the service runs as.',
  },
  // connections: TLS to any server.
  TLS_FAILED: {
    retriable: false,
    fix: "TLS to the named server failed: its certificate is not signed by the CA of the named setting's ca (or the system's CAs), does not name the host connected to (verify-full), has expired, or the server does not speak TLS there or refused the client certificate. Fix the setting or the server's certificate and restart (docs/tls.md).",
  },
  // source: the MySQL/MariaDB being captured.
  SOURCE_UNREACHABLE: { retriable: true, fix: 'Check that the source is up and SOURCE url/credentials are right.' },
  SOURCE_SETTING: { retriable: false, fix: 'Change the named server variable on the source and restart capture.' },
  SOURCE_TABLE_UNSUPPORTED: { retriable: false, fix: 'Give the table a primary key (or a NOT NULL unique key), or exclude it.' },
  KEY_NULL: {
    retriable: false,
    fix: 'A key column of the named table holds NULL: make the key columns NOT NULL on the source, or declare a key over NOT NULL columns (keys:).',
  },
  SOURCE_PARTIAL_ROW_IMAGE: {
    retriable: false,
    fix: 'A session wrote rows with binlog_row_image MINIMAL or NOBLOB: keep it FULL; to go on, set source.onPartialRowImage: warn and repair the targets (sluice verify --fix apply).',
  },
  SOURCE_XA_TOO_LARGE: {
    retriable: false,
    fix: 'An XA transaction outgrew what the capture holds in memory before its XA PREPARE: split it on the source into smaller XA transactions.',
  },
  SOURCE_XA_UNKNOWN: {
    retriable: false,
    fix: 'An XA COMMIT arrived whose XA PREPARE lies before the capture start: repair the tables it wrote (sluice verify --fix) and reset the capture past it.',
  },
  SOURCE_EVENT_UNSUPPORTED: {
    retriable: false,
    fix: 'The binlog holds events capture cannot decode (binlog_transaction_compression=ON or binlog_row_value_options=PARTIAL_JSON): turn them off on the source.',
  },
  SOURCE_TSO_GC: {
    retriable: false,
    fix: "TiDB no longer keeps the history at the query capture's checkpoint: raise tidb_gc_life_time above the longest capture outage, or let it take a new snapshot (snapshot.mode when_needed).",
  },
  BINLOG_PURGED: {
    retriable: false,
    fix: 'The checkpoint position is no longer in the source binlog; use snapshot.mode when_needed or reset the capture.',
  },
  SNAPSHOT_INTERRUPTED: {
    retriable: true,
    fix: 'A table was created or altered while the snapshot read it; capture resumes the snapshot in a new consistent read.',
  },
  BINLOG_STREAM: { retriable: true, fix: 'Transient binlog connection failure; capture reconnects from its checkpoint.' },
  SOURCE_STATEMENT_DML: {
    retriable: false,
    fix: 'A session wrote a captured table with binlog_format STATEMENT or MIXED, so the targets miss that change: make the writer use ROW, set source.onStatementDml: warn to go on, then repair the named tables with sluice verify --fix apply.',
  },
  // kafka and registry: the spine.
  KAFKA_UNAVAILABLE: { retriable: true, fix: 'Check kafka.brokers and that the brokers are up.' },
  KAFKA_FENCED: { retriable: false, fix: 'Another capture with the same id took over; this instance stops.' },
  KAFKA_REFUSED: {
    retriable: false,
    fix: 'The broker refused the request for a reason retrying cannot change (ACLs, a policy, a config it rejects); see the named error.',
  },
  KAFKA_AUTH_FAILED: {
    retriable: false,
    fix: 'The brokers refused the SASL login: check kafka.sasl.mechanism, username and password (password, passwordFile or SLUICE_KAFKA_SASL_PASSWORD), and that the user exists on the brokers for that mechanism (docs/tls.md).',
  },
  RECORD_TOO_LARGE: {
    retriable: false,
    fix: "A row encodes to a Kafka record larger than maxRecordBytes (or than the topic or broker takes): raise maxRecordBytes (and the broker's socket.request.max.bytes if needed), then restart the capture.",
  },
  TOPIC_NAME_REFUSED: {
    retriable: false,
    fix: "Kafka refused the table's topic name: another topic takes it once '.' and '_' fold together; rename or delete that topic, or use another topicPrefix (docs/limits.md).",
  },
  REGISTRY_UNAVAILABLE: { retriable: true, fix: 'Check schemaRegistry.url and that the registry is up.' },
  REGISTRY_MISCONFIGURED: {
    retriable: false,
    fix: 'The registry answered, but not as a Confluent-compatible API (404 on the API path) or refused the credentials: check schemaRegistry.url (Apicurio: http://host:port/apis/ccompat/v7) and the credentials (schemaRegistry.username and password or passwordFile, or user:password in the url).',
  },
  SCHEMA_INCOMPATIBLE: {
    retriable: false,
    fix: "The registry refused a table's new schema version under the compatibility level of its subject: set schemaRegistry.compatibility to NONE (the default), or change the level of the named subject in the registry.",
  },
  SCHEMA_INVALID: {
    retriable: false,
    fix: "The registry refused a table's schema as invalid (422); report it with the table named: sluice built a schema it should not have.",
  },
  ENCODE_FAILED: {
    retriable: false,
    fix: 'A row did not fit the Avro schema of its table (the message names the fields); report it with the table and column named.',
  },
  DECODE_FAILED: { retriable: false, fix: 'The message is not a sluice Avro record; see the DLQ entry for its origin.' },
  FILTER_COLUMN_MISSING: {
    retriable: false,
    fix: "A row filter (sink filters[].where) names a column the table's rows do not have (dropped or renamed by a DDL); change the filter and restart the sink.",
  },
  // target: where sinks write.
  TARGET_UNAVAILABLE: { retriable: true, fix: 'Check that the target is up; the sink retries without committing offsets.' },
  TARGET_TRANSIENT: { retriable: true, fix: 'Deadlock, lock wait or write conflict; the batch is retried.' },
  TARGET_REJECTED: { retriable: false, fix: 'The target refused a row (type, length, constraint); see the reason.' },
  SCHEMA_MISMATCH: {
    retriable: false,
    fix: 'The target table differs from the source schema and the sink ddl policy is stop; change the target or the policy.',
  },
  PARTITION_DDL_UNSUPPORTED: {
    retriable: false,
    fix: 'A partition statement that removes or moves rows (TRUNCATE/DROP/EXCHANGE/CONVERT PARTITION) or changes the partitioning cannot be applied to the named target table: it is not partitioned with those partitions and the rows they held cannot be told exactly from the source definition (LINEAR HASH, KEY, subpartitions), or the target refused the partition change. Partition the target table as the source is and restart the sink, or record a decision with sluice ddl skip or sluice ddl replace --sql (the id is in the message; see sluice ddl list) and restart it.',
  },
  TARGET_RENAME_CONFLICT: {
    retriable: false,
    fix: 'The source renamed a table, and the target holds both the old and the new name: drop or rename the stale target table named in the message and restart the sink, or record a decision with sluice ddl skip or sluice ddl replace --sql (the id is in the message) and restart it.',
  },
  DDL_REJECTED: {
    retriable: false,
    fix: 'The target refused the DDL that makes a table follow the source: fix the target by hand and restart the sink, or record a decision with sluice ddl skip or sluice ddl replace --sql (see sluice ddl list) and restart the sink.',
  },
  RENAME_NOT_APPLIED: {
    retriable: false,
    fix: "Rows of a renamed table's new name wait for the rename, which the marker on the old name's topic does, and no sink applied it in time: start (or fix) the sink that reads the old name's topic, or skip the rename for this sink with sluice ddl skip --table <new name> --id <id> (see sluice ddl list).",
  },
  SHARD_DDL_PENDING: {
    retriable: false,
    fix: 'A shard of a merged table changed in a way the merged table can take only once every shard has (drop, modify, rename): run the same DDL on the shards named; the sink holds that shard until then.',
  },
  TARGET_NAME_CLASH: {
    retriable: false,
    fix: 'Two source tables whose names differ only in case would merge in a target that compares names without case (TiDB); route one to another name.',
  },
  TYPE_UNSUPPORTED: { retriable: false, fix: 'The column type is not mapped yet; see docs/types.md.' },
  // archive: where the archive sink, backups and restores keep their files.
  ARCHIVE_STORAGE: {
    retriable: true,
    fix: 'The archive storage (a directory or an S3 bucket) did not answer or failed for a while (network, 5xx, slow down, disk): check that it is up and reachable; the named bucket and key say where. The archive sink stops without committing past it and recovers at restart.',
  },
  ARCHIVE_STORAGE_REFUSED: {
    retriable: false,
    fix: "The archive storage refused the request for a reason retrying cannot change: wrong access key or secret (InvalidAccessKeyId, SignatureDoesNotMatch), no permission on the bucket (AccessDenied), no such bucket, or a local directory that cannot be written. Fix the archive's s3 settings (accessKeyId, secretAccessKey or secretAccessKeyFile, bucket, endpoint, region) or the directory's permissions and start again (docs/backup.md).",
  },
  ARCHIVE_IN_USE: {
    retriable: false,
    fix: "Another writer holds the archive's lease (writer.lease.json, refreshed every 30 s): stop that archive sink (or give this one its own path or prefix) before starting another on the archive, and prune while none runs (or let the sink's target.retention prune, or pass --force). A lease whose heartbeat is 90 s old is stale and taken over.",
  },
  // cli: the operator commands.
  QUERY_FAILED: {
    retriable: false,
    fix: "A query of the sluice CLI failed on the named server (privileges, a table dropped meanwhile); see the server's message.",
  },
  SWITCHOVER_REFUSED: {
    retriable: false,
    fix: 'sluice switchover stopped at the step it names, changing nothing after it: make that step safe (A read-only or writers stopped, B caught up and equal, the configs naming the same two servers) and run it again.',
  },
  REPLAY_REFUSED: {
    retriable: false,
    fix: 'Replay preconditions failed: stop the sink first, pick a time the topics still hold, or confirm with --yes.',
  },
  BOOTSTRAP_REFUSED: {
    retriable: false,
    fix: 'Bootstrap prepares new sink groups only: pick a new sink name, or re-apply history to an existing one with sluice replay --earliest; confirm with --yes.',
  },
  BACKUP_TOPIC_NOT_COMPACTED: {
    retriable: false,
    fix: 'sluice backup reads a base from the table topics, which must keep every row: the named topic deletes old records (cleanup.policy with delete and a finite retention.ms or retention.bytes). Make it compact only (capture topics.cleanupPolicy: compact, or kafka-configs --alter cleanup.policy=compact), or set retention.ms=-1 and retention.bytes=-1, or leave the table out with --tables.',
  },
  RESTORE_REFUSED: {
    retriable: false,
    fix: 'sluice restore writes into new tables only: a target table it would write holds rows. Restore into another database (--rename db=db2) or server, or replace the table with --overwrite.',
  },
  RESTORE_NO_BASE: {
    retriable: false,
    fix: 'No complete base backup under the archive has all its changes at or before the time or position asked for: pick a later --to-time/--to-position, or take a base with sluice backup before the changes you want to restore to.',
  },
  RESTORE_GAP: {
    retriable: false,
    fix: 'The archive does not hold every change between the base and the time or position asked for (it starts after the base ends, or its newest change is before the time asked): pick an earlier time, a newer base, or wait until the archive sink has written its files (maxFileAgeMs).',
  },
  NOT_FOUND: {
    retriable: false,
    fix: 'The named topic, table or registry subject does not exist: check the name and the topic prefix, and that capture has published a change of the table.',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
  }

  /** `err` itself when it is a SluiceError, else `err` wrapped with `code`. */
  static from(err: unknown, code: ErrorCode): SluiceError {
    return err instanceof SluiceError ? err : new SluiceError(code, String(err), { cause: err });
  }
}

export const isRetriable = (err: unknown): boolean => err instanceof SluiceError && err.retriable;

/** The exit code of a service or the CLI that stops on `err`: 2 when its config is wrong, else 1. */
export const exitCodeOf = (err: unknown): 1 | 2 =>
  err instanceof SluiceError && (err.code === 'CONFIG_INVALID' || err.code === 'CONFIG_FILE_UNREADABLE') ? 2 : 1;
