import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../errors.ts';
import { classifyKafkaError, kafkaFenced, kafkaUnreachable } from '../kafkajs/kafka-errors.ts';
import { classifyConfluentError, confluentFenced, confluentUnreachable } from './confluent-errors.ts';

/** A LibrdKafkaError's shape: a numeric code, librdkafka's message, an origin. */
const rd = (code: number, message = `librdkafka error ${code}`) =>
  Object.assign(new Error(message), { code, errno: code, origin: 'kafka' });

describe('classifyConfluentError', () => {
  it("takes a commit's ERR__FENCED and the broker's fencing answers for KAFKA_FENCED", () => {
    for (const code of [-144, 47, 90]) {
      const e = classifyConfluentError(rd(code), 'kafka transaction');
      expect(e.code).toBe('KAFKA_FENCED');
      expect(e.retriable).toBe(false);
      expect(e.cause).toMatchObject({ code });
    }
  });

  it('takes a fatal error for fencing only when librdkafka names fencing as its reason', () => {
    expect(
      classifyConfluentError(rd(-150, 'Fatal error: Local: This instance has been fenced by a newer instance'), 'x').code,
    ).toBe('KAFKA_FENCED');
    expect(classifyConfluentError(rd(-150, 'Fatal error: Broker: Invalid producer epoch'), 'x').code).toBe('KAFKA_FENCED');
    expect(classifyConfluentError(rd(-150, 'Fatal error: Local: Inconsistent state'), 'x').code).toBe('KAFKA_UNAVAILABLE');
  });

  it('maps size, topic-name and refusal answers to their codes', () => {
    expect(classifyConfluentError(rd(10), 'producing to t').code).toBe('RECORD_TOO_LARGE');
    expect(classifyConfluentError(rd(18), 'producing to t').code).toBe('RECORD_TOO_LARGE');
    expect(classifyConfluentError(rd(17), 'producing to t').code).toBe('TOPIC_NAME_REFUSED');
    expect(classifyConfluentError(rd(29), 'producing to t').code).toBe('KAFKA_REFUSED');
    expect(classifyConfluentError(rd(53), 'initialising transactions').code).toBe('KAFKA_REFUSED');
  });

  it('calls transport failures and anything unknown KAFKA_UNAVAILABLE (retriable), naming what was done and the code', () => {
    const down = classifyConfluentError(rd(-195, 'Local: Broker transport failure'), 'committing a kafka transaction');
    expect(down.code).toBe('KAFKA_UNAVAILABLE');
    expect(down.retriable).toBe(true);
    expect(down.message).toContain('committing a kafka transaction: cannot reach the Kafka brokers');
    expect(down.message).toContain('librdkafka -195');
    expect(classifyConfluentError(rd(-172, 'Local: Erroneous state'), 'x').code).toBe('KAFKA_UNAVAILABLE');
    expect(classifyConfluentError(new Error('producer not connected'), 'x').code).toBe('KAFKA_UNAVAILABLE');
  });

  it('leaves a SluiceError as it is', () => {
    const e = new SluiceError('KAFKA_REFUSED', 'already classified');
    expect(classifyConfluentError(e, 'x')).toBe(e);
  });
});

describe('the port readers on errors of the Confluent adapter', () => {
  it('kafkaFenced and classifyKafkaError take its classified errors as they are', () => {
    const fenced = classifyConfluentError(rd(-144), 'kafka transaction');
    expect(kafkaFenced(fenced)).toBe(true);
    expect(classifyKafkaError(fenced, 'other')).toBe(fenced);
    expect(kafkaFenced(classifyConfluentError(rd(-172), 'x'))).toBe(false);
  });

  it('kafkaUnreachable: a transport failure is an outage, a broker answer or fencing is not', () => {
    expect(kafkaUnreachable(classifyConfluentError(rd(-187, 'Local: All broker connections are down'), 'x'))).toBe(true);
    expect(kafkaUnreachable(classifyConfluentError(rd(-185, 'Local: Timed out'), 'x'))).toBe(true);
    expect(kafkaUnreachable(classifyConfluentError(rd(-144), 'x'))).toBe(false);
    expect(kafkaUnreachable(classifyConfluentError(rd(-1, 'Broker: Unknown server error'), 'x'))).toBe(false);
  });

  it('confluentFenced and confluentUnreachable read only numeric codes', () => {
    expect(confluentFenced({ code: '90' })).toBe(false);
    expect(confluentFenced(undefined)).toBe(false);
    expect(confluentUnreachable(rd(-195))).toBe(true);
    expect(confluentUnreachable(new SluiceError('KAFKA_UNAVAILABLE', 'no cause'))).toBe(false);
  });
});
