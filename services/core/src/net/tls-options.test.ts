import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.ts';
import type { SaslSettings, TlsSettings } from '../config/tls.ts';
import { transactionalProducerConfig } from '../kafka/confluent/confluent-options.ts';
import { kafkajsSecurity } from '../kafka/kafkajs/kafka-client.ts';
import { mysqlOptionsFromUrl } from '../mysql/connection-options.ts';
import { CA_CERT, SERVER_CERT, SERVER_KEY } from './testing/certificates.ts';
import { kafkajsSasl, librdkafkaSecurity, mysqlSslOptions, nodeTlsOptions } from './tls-options.ts';

const full: TlsSettings = {
  mode: 'verify-full',
  ca: { path: '/etc/ca.pem', text: CA_CERT },
  cert: { path: '/etc/client.pem', text: SERVER_CERT },
  key: { path: '/etc/client.key', text: new Secret(SERVER_KEY) },
};
const scram: SaslSettings = { mechanism: 'scram-sha-512', username: 'sluice', passwordFile: new Secret('pw') };

describe('nodeTlsOptions (kafkajs, the registry)', () => {
  it('verify-full checks chain and name: the CA given, Node checks the name by default', () => {
    const o = nodeTlsOptions(full);
    expect(o).toEqual({ ca: CA_CERT, cert: SERVER_CERT, key: SERVER_KEY, rejectUnauthorized: true });
    expect(o.checkServerIdentity).toBeUndefined();
  });

  it('verify-ca checks the chain, not the name', () => {
    const o = nodeTlsOptions({ mode: 'verify-ca', ca: full.ca });
    expect(o.rejectUnauthorized).toBe(true);
    expect(o.checkServerIdentity?.('other.example', {} as never)).toBeUndefined();
  });

  it('skip-verify checks nothing; no CA means the system CAs', () => {
    expect(nodeTlsOptions({ mode: 'skip-verify' })).toEqual({ rejectUnauthorized: false });
    expect(nodeTlsOptions({ mode: 'verify-full' })).toEqual({ rejectUnauthorized: true });
  });
});

describe('mysql2 ssl (sources, targets, the binlog connection)', () => {
  it('maps the modes to rejectUnauthorized and verifyIdentity', () => {
    expect(mysqlSslOptions(full)).toEqual({
      ca: CA_CERT,
      cert: SERVER_CERT,
      key: SERVER_KEY,
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
    expect(mysqlSslOptions({ mode: 'verify-ca' })).toEqual({ rejectUnauthorized: true, verifyIdentity: false });
    expect(mysqlSslOptions({ mode: 'skip-verify' })).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
  });

  it('an endpoint adds ssl, and its password replaces the URL one', () => {
    const o = mysqlOptionsFromUrl({
      url: 'mysql://capture:inurl@db.example:3307/app',
      password: new Secret('fromfile'),
      tls: full,
    });
    expect(o).toMatchObject({ host: 'db.example', port: 3307, user: 'capture', password: 'fromfile', database: 'app' });
    expect(o.ssl).toEqual(mysqlSslOptions(full));
    const plain = mysqlOptionsFromUrl('mysql://capture:inurl@db.example/');
    expect(plain.password).toBe('inurl');
    expect(plain.ssl).toBeUndefined();
  });
});

describe('Kafka clients', () => {
  it('kafkajs: ssl from the TLS settings, sasl with the password revealed', () => {
    expect(kafkajsSecurity({ brokers: ['k:9093'] })).toEqual({});
    expect(kafkajsSecurity({ brokers: ['k:9093'], tls: full, sasl: scram })).toEqual({
      ssl: nodeTlsOptions(full),
      sasl: { mechanism: 'scram-sha-512', username: 'sluice', password: 'pw' },
    });
    expect(kafkajsSasl({ mechanism: 'plain', username: 'u', password: new Secret('p') })).toEqual({
      mechanism: 'plain',
      username: 'u',
      password: 'p',
    });
  });

  it('librdkafka: security.protocol by what is set', () => {
    expect(librdkafkaSecurity(undefined, undefined)).toEqual({ 'security.protocol': 'plaintext' });
    expect(librdkafkaSecurity(undefined, scram)['security.protocol']).toBe('sasl_plaintext');
    expect(librdkafkaSecurity({ mode: 'verify-full' }, undefined)['security.protocol']).toBe('ssl');
    expect(librdkafkaSecurity({ mode: 'verify-full' }, scram)['security.protocol']).toBe('sasl_ssl');
  });

  it('librdkafka: files by path, verification by mode, the mechanism in its spelling', () => {
    expect(librdkafkaSecurity(full, scram)).toEqual({
      'security.protocol': 'sasl_ssl',
      'ssl.ca.location': '/etc/ca.pem',
      'ssl.certificate.location': '/etc/client.pem',
      'ssl.key.location': '/etc/client.key',
      'enable.ssl.certificate.verification': true,
      'ssl.endpoint.identification.algorithm': 'https',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'sluice',
      'sasl.password': 'pw',
    });
    expect(librdkafkaSecurity({ mode: 'verify-ca' }, undefined)).toMatchObject({
      'enable.ssl.certificate.verification': true,
      'ssl.endpoint.identification.algorithm': 'none',
    });
    expect(librdkafkaSecurity({ mode: 'skip-verify' }, undefined)).toMatchObject({
      'enable.ssl.certificate.verification': false,
      'ssl.endpoint.identification.algorithm': 'none',
    });
    const plain = librdkafkaSecurity(undefined, { mechanism: 'plain', username: 'u', password: new Secret('p') });
    expect(plain['sasl.mechanisms']).toBe('PLAIN');
    expect(librdkafkaSecurity(undefined, { ...scram, mechanism: 'scram-sha-256' })['sasl.mechanisms']).toBe('SCRAM-SHA-256');
  });

  it('the Confluent producer gets the same security as kafkajs', () => {
    const conf = transactionalProducerConfig(
      { brokers: ['k:9093'], clientId: 'c', tls: full, sasl: scram },
      { transactionalId: 't', transactionTimeoutMs: 60_000 },
    );
    expect(conf).toMatchObject(librdkafkaSecurity(full, scram));
    expect(conf['bootstrap.servers']).toBe('k:9093');
  });
});
