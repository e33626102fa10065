import { SluiceError } from '../../errors.ts';
import { tlsFailure } from '../../net/tls-errors.ts';
import { confluentUnreachable } from '../confluent/confluent-errors.ts';

/**
 * The one place that reads Kafka client errors (the port's error classifier: callers of the port
 * never look at a client's error shapes). kafkajs wraps a broker's answer in retry and
 * aggregate errors (`cause`, `originalError`, `errors[]`), so the broker's error type is searched
 * for through the whole chain. Everything that is not a known non-retriable answer is a broker
 * outage (retriable).
 */

/** Kafka's ways of saying that a newer producer holds this transactional id (90 is PRODUCER_FENCED, unknown to kafkajs). */
const FENCED_TYPES = /^(INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|ProducerFenced)$/i;
/** The broker refused a record or batch for its size. */
const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);
const TOPIC_NAME_TYPES = new Set(['INVALID_TOPIC_EXCEPTION']);
/** Answers that retrying cannot change: permissions, policies, configs the broker rejects. */
const REFUSED_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'POLICY_VIOLATION',
  'INVALID_CONFIG',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_PARTITIONS',
  'UNSUPPORTED_VERSION',
]);

/** Socket-level failures: nothing answered at the address. */
const CONNECT_FAILURES = /\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN)\b/;

interface KafkaishError {
  type?: string;
  name?: string;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
}

/** Every error in the chain, outermost first (bounded: chains can be cyclic). */
function chain(err: unknown): KafkaishError[] {
  const out: KafkaishError[] = [];
  const todo: unknown[] = [err];
  while (todo.length && out.length < 32) {
    const e = todo.shift();
    if (!e || typeof e !== 'object' || out.includes(e as KafkaishError)) continue;
    const k = e as KafkaishError;
    out.push(k);
    todo.push(k.cause, k.originalError, ...(Array.isArray(k.errors) ? k.errors : []));
  }
  return out;
}

/** Whether the error, or any error it wraps, says "fenced". */
export function kafkaFenced(err: unknown): boolean {
  return chain(err).some(
    (e) =>
      // Classified already (the port's fakes throw classified errors).
      (e instanceof SluiceError && e.code === 'KAFKA_FENCED') ||
      FENCED_TYPES.test(String(e.type ?? '')) ||
      FENCED_TYPES.test(String(e.name ?? '')) ||
      (e.type === 'KAFKAJS_UNKNOWN_ERROR_CODE' && /\b90\b/.test(String(e.message))),
  );
}

/** kafkajs' errors for a connection that broke, never came up, or had no answer in time. */
const CONNECTION_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);

/**
 * Whether the failure is only that no broker answered: a lost or refused connection, and no broker
 * error anywhere in the chain. Such a failure says nothing about fencing (a newer producer is
 * announced by a broker's answer), so the capture restarts without looking for a newcomer.
 */
export function kafkaUnreachable(err: unknown): boolean {
  // The Confluent adapter's errors are classified already; their librdkafka cause tells.
  if (confluentUnreachable(err)) return true;
  const all = chain(err);
  if (all.some((e) => e.name === 'KafkaJSProtocolError' || kafkaFenced(e))) return false;
  return all.some((e) => CONNECTION_ERRORS.has(String(e.name)) || CONNECT_FAILURES.test(String(e.message)));
}

/** Errors of a group commit that lost its membership (the consumer rejoins by itself), or made after the consumer left (ConsumerLeftError). */
const REBALANCED_TYPES = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'CONSUMER_LEFT']);

/** Whether a commit of offsets failed because the group rebalanced meanwhile (not a failure: the batch comes again). */
export const kafkaRebalanced = (err: unknown): boolean => findError(err, REBALANCED_TYPES) !== undefined;

/** Whether the error was raised by the Kafka client (not by the code its consumer called back). */
export const isKafkaClientError = (err: unknown): boolean => String((err as { name?: string })?.name ?? '').startsWith('KafkaJS');

/** The broker's error somewhere in the chain whose type is one of the given ones, if any. */
function findError(err: unknown, types: Set<string>): KafkaishError | undefined {
  return chain(err).find((e) => types.has(String(e.type)));
}

const findType = (err: unknown, types: Set<string>): string | undefined => findError(err, types)?.type;

/**
 * A Kafka failure as a SluiceError. `what` says what was being done ("creating topic x",
 * "kafka transaction"), so that the message names the topic or record the operator must look at.
 */
export function classifyKafkaError(err: unknown, what: string): SluiceError {
  if (err instanceof SluiceError) return err;
  const message = (err as Error)?.message ?? String(err);
  if (kafkaFenced(err)) {
    return new SluiceError('KAFKA_FENCED', `another capture with the same captureId took over (producer fenced) during ${what}`, {
      cause: err,
    });
  }
  const tooLarge = findType(err, TOO_LARGE_TYPES);
  if (tooLarge) {
    return new SluiceError(
      'RECORD_TOO_LARGE',
      `${what}: the broker refused a record as too large (${tooLarge}); raise the topic's max.message.bytes ` +
        `(capture sets it from maxRecordBytes on topics it creates) or the broker's message.max.bytes`,
      { cause: err },
    );
  }
  const badName = findError(err, TOPIC_NAME_TYPES);
  if (badName) {
    // The broker's own words ("collides with existing topic: ...") are in the per-topic error, not the aggregate.
    const reason = badName.message ?? message;
    return new SluiceError('TOPIC_NAME_REFUSED', `${what}: the broker refused the topic name (${reason})`, { cause: err });
  }
  // A refused SASL login: kafkajs' own error (a wrong password, an unknown user or mechanism), or the broker's answer.
  const auth = chain(err).find((e) => e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED');
  if (auth) {
    return new SluiceError(
      'KAFKA_AUTH_FAILED',
      `${what}: the brokers refused the SASL login (${auth.message ?? message}); check kafka.sasl (mechanism, username, password)`,
      { cause: err },
    );
  }
  const tls = tlsFailure(err, `the Kafka brokers (${what})`, 'kafka.tls');
  if (tls) return tls;
  const refused = findType(err, REFUSED_TYPES);
  if (refused) {
    return new SluiceError('KAFKA_REFUSED', `${what}: the broker refused it (${refused}: ${message})`, { cause: err });
  }
  if (chain(err).some((e) => e.name === 'KafkaJSConnectionError' || CONNECT_FAILURES.test(String(e.message)))) {
    return new SluiceError(
      'KAFKA_UNAVAILABLE',
      `${what}: cannot reach the Kafka brokers (${message}); check kafka.brokers and that the brokers are up`,
      { cause: err },
    );
  }
  return new SluiceError('KAFKA_UNAVAILABLE', `${what}: ${message}`, { cause: err });
}
