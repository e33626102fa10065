import { SluiceError } from '../../errors.ts';

/**
 * librdkafka's errors as the port's SluiceErrors. The Confluent adapter throws only classified
 * errors (as the fakes do), so classifyKafkaError and kafkaFenced take them as they are; the
 * librdkafka error stays their cause. Pure: error codes by number, without the native module.
 * Negative codes are librdkafka's own (local), positive ones a broker's answer.
 */

/** A newer producer with the same transactional id took over (ERR__FENCED on commit; the broker's 47 and 90). */
const FENCED = new Set([-144, 47, 90]);
/** ERR__FATAL: the producer is unusable; librdkafka names the reason, which is fencing when a newcomer took over. */
const FATAL = -150;
/** The broker refused a record or batch for its size (MSG_SIZE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_RECORD). */
const TOO_LARGE = new Set([10, 18, 87]);
/** TOPIC_EXCEPTION: an invalid topic name. */
const TOPIC_NAME = new Set([17]);
/** Answers that retrying cannot change: authorization, policies, configs the broker rejects. */
const REFUSED = new Set([29, 30, 31, 53, 44, 40, 38, 37, 35]);
/** The SASL login was refused: ERR__AUTHENTICATION, the broker's SASL_AUTHENTICATION_FAILED (58). */
const AUTHENTICATION = new Set([-169, 58]);
/** ERR__SSL: the TLS handshake failed (certificate not trusted, name mismatch, not TLS). */
const SSL = -181;
/**
 * Nothing answered: ERR__TRANSPORT, ERR__RESOLVE, ERR__ALL_BROKERS_DOWN, ERR__TIMED_OUT,
 * ERR__MSG_TIMED_OUT, ERR__TIMED_OUT_QUEUE. Says nothing of fencing (the supervisor's takeover check).
 */
const UNREACHABLE = new Set([-195, -193, -187, -185, -192, -166]);

interface RdkafkaishError {
  code?: unknown;
  message?: unknown;
  isRetriable?: boolean;
}

/** The librdkafka error's code, when err is one (a number code and an origin, or a LibrdKafkaError). */
function codeOf(err: unknown): number | undefined {
  const e = err as RdkafkaishError | undefined;
  return typeof e?.code === 'number' ? e.code : undefined;
}

const fatalFenced = (err: unknown): boolean =>
  codeOf(err) === FATAL && /fenced|invalid[_ ]producer[_ ]epoch/i.test(String((err as RdkafkaishError).message));

/** Whether librdkafka says a newer producer with the same transactional id took over. */
export function confluentFenced(err: unknown): boolean {
  const code = codeOf(err);
  return (code !== undefined && FENCED.has(code)) || fatalFenced(err);
}

/** Whether the failure is only that no broker answered (see kafkaUnreachable). */
export function confluentUnreachable(err: unknown): boolean {
  const cause = err instanceof SluiceError ? err.cause : err;
  const code = codeOf(cause);
  return code !== undefined && UNREACHABLE.has(code);
}

/** A librdkafka failure as a SluiceError; `what` says what was being done ("kafka transaction"). */
export function classifyConfluentError(err: unknown, what: string): SluiceError {
  if (err instanceof SluiceError) return err;
  const code = codeOf(err);
  const message = `${(err as Error)?.message ?? String(err)}${code === undefined ? '' : ` (librdkafka ${code})`}`;
  const opts = { cause: err };
  if (confluentFenced(err)) {
    return new SluiceError(
      'KAFKA_FENCED',
      `another capture with the same captureId took over (producer fenced) during ${what}`,
      opts,
    );
  }
  if (code !== undefined && TOO_LARGE.has(code)) {
    return new SluiceError(
      'RECORD_TOO_LARGE',
      `${what}: the broker refused a record as too large (${message}); raise the topic's max.message.bytes ` +
        `(capture sets it from maxRecordBytes on topics it creates) or the broker's message.max.bytes`,
      opts,
    );
  }
  if (code !== undefined && TOPIC_NAME.has(code)) {
    return new SluiceError('TOPIC_NAME_REFUSED', `${what}: the broker refused the topic name (${message})`, opts);
  }
  if (code !== undefined && AUTHENTICATION.has(code)) {
    return new SluiceError(
      'KAFKA_AUTH_FAILED',
      `${what}: the brokers refused the SASL login (${message}); check kafka.sasl (mechanism, username, password)`,
      opts,
    );
  }
  if (code === SSL) {
    return new SluiceError('TLS_FAILED', `TLS to the Kafka brokers failed during ${what} (${message}); check kafka.tls`, opts);
  }
  if (code !== undefined && REFUSED.has(code)) {
    return new SluiceError('KAFKA_REFUSED', `${what}: the broker refused it (${message})`, opts);
  }
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new SluiceError(
      'KAFKA_UNAVAILABLE',
      `${what}: cannot reach the Kafka brokers (${message}); check kafka.brokers and that the brokers are up`,
      opts,
    );
  }
  return new SluiceError('KAFKA_UNAVAILABLE', `${what}: ${message}`, opts);
}
