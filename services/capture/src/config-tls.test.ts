import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passwordOf, SluiceError } from '@sluice/core';
import { loadSinkConfig } from '@sluice/sink/src/config.ts';
import { describe, expect, it } from 'vitest';
import { loadCaptureConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-cfg-'));
const file = (name: string, value: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
};
const kafka = { brokers: ['k:9093'], sasl: { mechanism: 'scram-sha-512', username: 'sluice' } };
const registry = { url: 'https://r/apis/ccompat/v7', username: 'reg' };

describe('secrets from the environment (capture and sink)', () => {
  it('SLUICE_SOURCE_PASSWORD, SLUICE_KAFKA_SASL_PASSWORD and SLUICE_SCHEMA_REGISTRY_PASSWORD set the capture passwords', () => {
    const cfg = loadCaptureConfig(
      file('capture.json', { source: { url: 'mysql://sluice@db:3306/' }, kafka, schemaRegistry: registry }),
      {
        SLUICE_SOURCE_PASSWORD: 'src-pw',
        SLUICE_KAFKA_SASL_PASSWORD: 'kafka-pw',
        SLUICE_SCHEMA_REGISTRY_PASSWORD: 'reg-pw',
      },
    );
    expect(passwordOf(cfg.source)?.reveal()).toBe('src-pw');
    expect(cfg.kafka.sasl && passwordOf(cfg.kafka.sasl)?.reveal()).toBe('kafka-pw');
    expect(passwordOf(cfg.schemaRegistry)?.reveal()).toBe('reg-pw');
    expect(JSON.stringify(cfg)).not.toMatch(/src-pw|kafka-pw|reg-pw/);
  });

  it('SLUICE_TARGET_PASSWORD sets the sink target password; a password file works as well', () => {
    const pw = file('target.password', 'tgt-file-pw\n');
    const cfg = loadSinkConfig(
      file('sink.json', {
        sinkName: 's',
        target: { url: 'mysql://sink@db/', passwordFile: pw },
        kafka,
        schemaRegistry: registry,
      }),
      { SLUICE_KAFKA_SASL_PASSWORD: 'kafka-pw', SLUICE_SCHEMA_REGISTRY_PASSWORD: 'reg-pw' },
    );
    expect(passwordOf(cfg.target)?.reveal()).toBe('tgt-file-pw');
    const fromEnv = loadSinkConfig(
      file('sink2.json', { sinkName: 's', target: { url: 'mysql://sink@db/' }, kafka, schemaRegistry: registry }),
      {
        SLUICE_TARGET_PASSWORD: 'tgt-env',
        SLUICE_KAFKA_SASL_PASSWORD: 'k',
        SLUICE_SCHEMA_REGISTRY_PASSWORD: 'r',
      },
    );
    expect(passwordOf(fromEnv.target)?.reveal()).toBe('tgt-env');
  });

  it('a missing certificate file stops the capture at load, naming the field and the path', () => {
    let err: unknown;
    try {
      loadCaptureConfig(
        file(
          'bad.yaml',
          "source:\n  url: 'mysql://sluice@db/'\n  tls:\n    ca: /no/such/ca.pem\nkafka: { brokers: ['k:9092'] }\nschemaRegistry: { url: 'http://r/' }\n",
        ),
        {},
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).code).toBe('CONFIG_INVALID');
    expect((err as SluiceError).message).toContain(
      'source.tls.ca: cannot read the CA certificate file /no/such/ca.pem: no such file (ENOENT) (line 4)',
    );
  });
});
