/**
 * The one error type of sluice. Every failure that crosses a module boundary is a SluiceError
 * with a code from ERROR_CODES, so that retry decisions, dead-lettering and docs all key on the
 * code and never on message text.
 */
export const ERROR_CODES = {
  // config: the service cannot start with what it was given.
  CONFIG_INVALID: { retriable: false, fix: 'Correct the named field in the config file or environment variable.' },
  CONFIG_FILE_UNREADABLE: { retriable: false, fix: 'Check the path given with --config and its permissions.' },
  // source: the MySQL/MariaDB being captured.
  SOURCE_UNREACHABLE: { retriable: true, fix: 'Check that the source is up and SOURCE url/credentials are right.' },
  SOURCE_SETTING: { retriable: false, fix: 'Change the named server variable on the source and restart capture.' },
  SOURCE_TABLE_UNSUPPORTED: { retriable: false, fix: 'Give the table a primary key (or a NOT NULL unique key), or exclude it.' },
  BINLOG_PURGED: {
    retriable: false,
    fix: 'The checkpoint position is no longer in the source binlog; use snapshot.mode when_needed or reset the capture.',
  },
  SNAPSHOT_INTERRUPTED: {
    retriable: true,
    fix: 'A table was created or altered while the snapshot read it; capture resumes the snapshot in a new consistent read.',
  },
  BINLOG_STREAM: { retriable: true, fix: 'Transient binlog connection failure; capture reconnects from its checkpoint.' },
  // kafka and registry: the spine.
  KAFKA_UNAVAILABLE: { retriable: true, fix: 'Check kafka.brokers and that the brokers are up.' },
  KAFKA_FENCED: { retriable: false, fix: 'Another capture with the same id took over; this instance stops.' },
  REGISTRY_UNAVAILABLE: { retriable: true, fix: 'Check schemaRegistry.url and that the registry is up.' },
  REGISTRY_MISCONFIGURED: {
    retriable: false,
    fix: 'The registry answered, but not as a Confluent-compatible API (404 on the API path) or refused the credentials: check schemaRegistry.url (Apicurio: http://host:port/apis/ccompat/v7) and its user:password.',
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
  // target: where sinks write.
  TARGET_UNAVAILABLE: { retriable: true, fix: 'Check that the target is up; the sink retries without committing offsets.' },
  TARGET_TRANSIENT: { retriable: true, fix: 'Deadlock, lock wait or write conflict; the batch is retried.' },
  TARGET_REJECTED: { retriable: false, fix: 'The target refused a row (type, length, constraint); see the reason.' },
  SCHEMA_MISMATCH: {
    retriable: false,
    fix: 'The target table differs from the source schema and the sink ddl policy is stop; change the target or the policy.',
  },
  TYPE_UNSUPPORTED: { retriable: false, fix: 'The column type is not mapped yet; see docs/types.md.' },
  // cli: the operator commands.
  QUERY_FAILED: {
    retriable: false,
    fix: "A query of the sluice CLI failed on the named server (privileges, a table dropped meanwhile); see the server's message.",
  },
  REPLAY_REFUSED: {
    retriable: false,
    fix: 'Replay preconditions failed: stop the sink first, pick a time the topics still hold, or confirm with --yes.',
  },
  BOOTSTRAP_REFUSED: {
    retriable: false,
    fix: 'Bootstrap prepares new sink groups only: pick a new sink name, or re-apply history to an existing one with sluice replay --earliest; confirm with --yes.',
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
