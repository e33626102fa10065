import type { ConnectionOptions } from 'node:tls';
import type { SslOptions } from 'mysql2';
import { passwordOf } from '../config/secret.ts';
import type { SaslMechanism, SaslSettings, TlsSettings } from '../config/tls.ts';

/**
 * The one place where the config's TLS and SASL settings (config/tls.ts) become each client's
 * options: Node's tls (kafkajs, the registry's HTTPS), mysql2 (sources, targets, zongji's binlog
 * connection) and librdkafka (the Confluent producer). Every client checks the same things for a
 * mode:
 *   verify-full  the chain up to the CA, and the host name (or IP) connected to against the certificate's names;
 *   verify-ca    the chain only;
 *   skip-verify  nothing.
 */

/** Node's tls.connect options: for kafkajs' `ssl` and the registry's HTTPS agent. */
export function nodeTlsOptions(t: TlsSettings): ConnectionOptions {
  return {
    ...(t.ca ? { ca: t.ca.text } : {}),
    ...(t.cert ? { cert: t.cert.text } : {}),
    ...(t.key ? { key: t.key.text.reveal() } : {}),
    rejectUnauthorized: t.mode !== 'skip-verify',
    // verify-ca: the chain is checked (rejectUnauthorized), the name is not.
    ...(t.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** mysql2's `ssl` (also zongji's, which hands its options to mysql2). */
export function mysqlSslOptions(t: TlsSettings): SslOptions {
  return {
    ...(t.ca ? { ca: t.ca.text } : {}),
    ...(t.cert ? { cert: t.cert.text } : {}),
    ...(t.key ? { key: t.key.text.reveal() } : {}),
    rejectUnauthorized: t.mode !== 'skip-verify',
    // mysql2 checks the name only when asked (it checks the chain by rejectUnauthorized).
    verifyIdentity: t.mode === 'verify-full',
  };
}

/** kafkajs' `sasl`: the same mechanism names. */
export function kafkajsSasl(s: SaslSettings): { mechanism: SaslMechanism; username: string; password: string } {
  return { mechanism: s.mechanism, username: s.username, password: passwordOf(s)?.reveal() ?? '' };
}

const RDKAFKA_MECHANISMS: Record<SaslMechanism, string> = {
  'scram-sha-512': 'SCRAM-SHA-512',
  'scram-sha-256': 'SCRAM-SHA-256',
  plain: 'PLAIN',
};

/**
 * librdkafka's security properties. Its files are given by path (ssl.ca.location...), which
 * the config has read and checked already at start-up.
 */
export function librdkafkaSecurity(
  tls: TlsSettings | undefined,
  sasl: SaslSettings | undefined,
): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {
    'security.protocol': tls ? (sasl ? 'sasl_ssl' : 'ssl') : sasl ? 'sasl_plaintext' : 'plaintext',
  };
  if (tls) {
    if (tls.ca) out['ssl.ca.location'] = tls.ca.path;
    if (tls.cert) out['ssl.certificate.location'] = tls.cert.path;
    if (tls.key) out['ssl.key.location'] = tls.key.path;
    out['enable.ssl.certificate.verification'] = tls.mode !== 'skip-verify';
    // 'https': the broker's certificate must name the host (or IP) of the broker address.
    out['ssl.endpoint.identification.algorithm'] = tls.mode === 'verify-full' ? 'https' : 'none';
  }
  if (sasl) {
    out['sasl.mechanisms'] = RDKAFKA_MECHANISMS[sasl.mechanism];
    out['sasl.username'] = sasl.username;
    out['sasl.password'] = passwordOf(sasl)?.reveal() ?? '';
  }
  return out;
}
