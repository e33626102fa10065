import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { captureConfigSchema, loadCaptureConfig } from './config.ts';

const base = { source: { url: 'mysql://u:p@h:3306/' }, kafka: { brokers: ['k:9092'] }, schemaRegistry: { url: 'http://r/' } };

describe('capture config: kafka.client', () => {
  it('is confluent unless set', () => {
    expect(captureConfigSchema.parse(base).kafka.client).toBe('confluent');
  });

  it('takes kafkajs from the file or from SLUICE_KAFKA_CLIENT', () => {
    expect(captureConfigSchema.parse({ ...base, kafka: { ...base.kafka, client: 'kafkajs' } }).kafka.client).toBe('kafkajs');
    const file = join(tmpdir(), `sluice-kafka-client-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(base));
    expect(loadCaptureConfig(file, { SLUICE_KAFKA_CLIENT: 'kafkajs' }).kafka.client).toBe('kafkajs');
  });

  it('refuses any other client, naming the field', () => {
    const file = join(tmpdir(), `sluice-kafka-client-bad-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ ...base, kafka: { ...base.kafka, client: 'rdkafka' } }));
    let err: unknown;
    try {
      loadCaptureConfig(file, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).code).toBe('CONFIG_INVALID');
    expect((err as SluiceError).message).toContain('kafka.client');
  });
});
