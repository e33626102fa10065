import { describe, expect, it } from 'vitest';
import { SluiceError } from '../errors.ts';
import { classifyConfluentError } from '../kafka/confluent/confluent-errors.ts';
import { classifyKafkaError } from '../kafka/kafkajs/kafka-errors.ts';
import { tlsFailure } from './tls-errors.ts';

const err = (props: Record<string, unknown>) => Object.assign(new Error(String(props.message ?? 'x')), props);

describe('tlsFailure', () => {
  it("names an untrusted certificate, the connection and the CA setting (Node's codes)", () => {
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT']) {
      const e = tlsFailure(err({ code, message: 'm' }), 'the source', 'source.tls');
      expect(e?.code).toBe('TLS_FAILED');
      expect(e?.retriable).toBe(false);
      expect(e?.message).toContain("TLS to the source failed: the server's certificate is not trusted");
      expect(e?.message).toContain('source.tls.ca');
      expect(e?.message).toContain(code);
    }
  });

  it('reads the reason from the message when mysql2 replaced the code by HANDSHAKE_SSL_ERROR', () => {
    const cases: [string, RegExp][] = [
      ['self-signed certificate in certificate chain', /not trusted/],
      ['unable to verify the first certificate', /not trusted/],
      [
        "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: 127.0.0.1",
        /does not name the host/,
      ],
      ['certificate has expired', /has expired/],
      ['something else entirely', /the TLS handshake failed/],
    ];
    for (const [message, reason] of cases) {
      const e = tlsFailure(err({ code: 'HANDSHAKE_SSL_ERROR', message, fatal: true }), 'the target', 'target.tls');
      expect(e?.code, message).toBe('TLS_FAILED');
      expect(e?.message).toMatch(reason);
    }
  });

  it('a server that requires TLS, one that does not speak it, one that refused the client certificate', () => {
    expect(
      tlsFailure(
        err({ errno: 3159, message: 'Connections using insecure transport are prohibited while --require_secure_transport=ON.' }),
        'the source',
        'source.tls',
      )?.message,
    ).toMatch(/requires TLS .* set source\.tls/);
    expect(tlsFailure(err({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), 'x', 'kafka.tls')?.message).toContain(
      'does not speak TLS on that port',
    );
    expect(tlsFailure(err({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }), 'x', 'target.tls')?.message).toContain(
      'refused the client certificate (target.tls.cert and target.tls.key)',
    );
    expect(tlsFailure(err({ code: 'HANDSHAKE_NO_SSL_SUPPORT' }), 'x', 'source.tls')?.message).toContain('does not support TLS');
  });

  it('finds the TLS error inside wrapping errors, and leaves other errors alone', () => {
    const inner = err({ code: 'CERT_HAS_EXPIRED' });
    expect(tlsFailure(err({ name: 'Wrapper', cause: err({ originalError: inner }) }), 'x', 'y')?.code).toBe('TLS_FAILED');
    expect(tlsFailure(err({ code: 'ECONNREFUSED' }), 'x', 'y')).toBeUndefined();
    expect(tlsFailure(err({ errno: 1045, message: 'Access denied' }), 'x', 'y')).toBeUndefined();
    expect(tlsFailure(new SluiceError('TARGET_REJECTED', 'r'), 'x', 'y')).toBeUndefined();
  });
});

describe('Kafka clients: authentication and TLS', () => {
  it('kafkajs: a refused SASL login is KAFKA_AUTH_FAILED, not retriable, without the password', () => {
    const e = classifyKafkaError(
      err({ name: 'KafkaJSSASLAuthenticationError', message: 'SASL SCRAM SHA512 authentication failed: invalid credentials' }),
      'kafka (brokers k:9093)',
    );
    expect(e.code).toBe('KAFKA_AUTH_FAILED');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain('kafka (brokers k:9093): the brokers refused the SASL login');
    expect(classifyKafkaError(err({ name: 'KafkaJSProtocolError', type: 'SASL_AUTHENTICATION_FAILED' }), 'k').code).toBe(
      'KAFKA_AUTH_FAILED',
    );
  });

  it('kafkajs: a connection error carrying a TLS code is TLS_FAILED naming kafka.tls', () => {
    const e = classifyKafkaError(
      err({
        name: 'KafkaJSNumberOfRetriesExceeded',
        cause: err({ name: 'KafkaJSConnectionError', code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
      }),
      'kafka (brokers k:9093)',
    );
    expect(e.code).toBe('TLS_FAILED');
    expect(e.message).toContain('kafka.tls.ca');
  });

  it('librdkafka: ERR__AUTHENTICATION and the broker answer are KAFKA_AUTH_FAILED; ERR__SSL is TLS_FAILED', () => {
    expect(classifyConfluentError({ code: -169, message: 'SASL authentication error' }, 'connecting').code).toBe(
      'KAFKA_AUTH_FAILED',
    );
    expect(classifyConfluentError({ code: 58, message: 'SASL_AUTHENTICATION_FAILED' }, 'connecting').code).toBe(
      'KAFKA_AUTH_FAILED',
    );
    const ssl = classifyConfluentError({ code: -181, message: 'SSL handshake failed' }, 'connecting');
    expect(ssl.code).toBe('TLS_FAILED');
    expect(ssl.message).toContain('kafka.tls');
  });
});
