import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../errors.ts';
import { classifyKafkaError, kafkaFenced, kafkaUnreachable } from './kafka-errors.ts';

const protocol = (type: string, message = '') => Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type });
const retried = (cause: unknown) =>
  Object.assign(new Error('retries exhausted'), { name: 'KafkaJSNumberOfRetriesExceeded', cause, originalError: cause });

describe('kafkaFenced', () => {
  it('recognises fencing directly and wrapped by kafkajs retries', () => {
    expect(kafkaFenced(protocol('INVALID_PRODUCER_EPOCH'))).toBe(true);
    expect(kafkaFenced(protocol('KAFKAJS_UNKNOWN_ERROR_CODE', 'Unknown error code 90'))).toBe(true);
    expect(kafkaFenced(retried(protocol('INVALID_PRODUCER_EPOCH')))).toBe(true);
  });

  it('does not take other errors, or look-alike names, for fencing', () => {
    expect(kafkaFenced(protocol('CONCURRENT_TRANSACTIONS'))).toBe(false);
    expect(kafkaFenced(protocol('TRANSACTION_COORDINATOR_FENCED'))).toBe(false);
    expect(kafkaFenced(protocol('KAFKAJS_UNKNOWN_ERROR_CODE', 'Unknown error code 91'))).toBe(false);
    expect(kafkaFenced(undefined)).toBe(false);
  });

  it('survives cyclic chains', () => {
    const a: { cause?: unknown } & Error = new Error('a');
    a.cause = a;
    expect(kafkaFenced(a)).toBe(false);
  });
});

describe('kafkaUnreachable', () => {
  const closed = () => Object.assign(new Error('Closed connection'), { name: 'KafkaJSConnectionError' });

  it('is a lost or refused connection, however wrapped', () => {
    expect(kafkaUnreachable(closed())).toBe(true);
    expect(kafkaUnreachable(new SluiceError('KAFKA_UNAVAILABLE', 'kafka transaction', { cause: retried(closed()) }))).toBe(true);
    expect(kafkaUnreachable(new Error('connect ECONNREFUSED 127.0.0.1:19095'))).toBe(true);
  });

  it('is not a broker answer, even next to a lost connection', () => {
    expect(kafkaUnreachable(protocol('UNKNOWN_SERVER_ERROR'))).toBe(false);
    expect(kafkaUnreachable(Object.assign(retried(protocol('INVALID_PRODUCER_EPOCH')), { errors: [closed()] }))).toBe(false);
    expect(kafkaUnreachable(new Error('something else'))).toBe(false);
  });
});

describe('classifyKafkaError', () => {
  it.each([
    [protocol('MESSAGE_TOO_LARGE'), 'RECORD_TOO_LARGE', false],
    [retried(protocol('RECORD_LIST_TOO_LARGE')), 'RECORD_TOO_LARGE', false],
    [
      Object.assign(new Error('aggregate'), { errors: [protocol('INVALID_TOPIC_EXCEPTION', 'bad name')] }),
      'TOPIC_NAME_REFUSED',
      false,
    ],
    [protocol('TOPIC_AUTHORIZATION_FAILED'), 'KAFKA_REFUSED', false],
    [protocol('INVALID_PRODUCER_EPOCH'), 'KAFKA_FENCED', false],
    [protocol('NOT_LEADER_FOR_PARTITION'), 'KAFKA_UNAVAILABLE', true],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'KafkaJSConnectionError' }), 'KAFKA_UNAVAILABLE', true],
  ])('%s -> %s', (err, code, retriable) => {
    const e = classifyKafkaError(err, 'sending to topic t');
    expect([e.code, e.retriable]).toEqual([code, retriable]);
    expect(e.message).toContain('sending to topic t');
  });

  it("quotes the broker's reason for a refused topic name from the per-topic error", () => {
    const aggregate = Object.assign(new Error('Topic creation errors'), {
      errors: [protocol('INVALID_TOPIC_EXCEPTION', "Topic 'a.b_c' collides with existing topic: a_b.c")],
    });
    expect(classifyKafkaError(aggregate, 'creating topic a.b_c').message).toBe(
      "creating topic a.b_c: the broker refused the topic name (Topic 'a.b_c' collides with existing topic: a_b.c)",
    );
  });

  it('says what to check when no broker answers', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
    });
    expect(classifyKafkaError(refused, 'kafka (brokers 127.0.0.1:1)').message).toBe(
      'kafka (brokers 127.0.0.1:1): cannot reach the Kafka brokers (Connection error: connect ECONNREFUSED 127.0.0.1:1); check kafka.brokers and that the brokers are up',
    );
  });
});
