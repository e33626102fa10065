import { SluiceError } from '../errors.ts';

/**
 * TLS failures of any client (mysql2, kafkajs, the registry's HTTPS; librdkafka is classified in
 * its adapter) as one error code, TLS_FAILED, not retriable: a certificate the configured CA does
 * not sign, a name it does not hold, a server that does not speak TLS, do not change by retrying.
 * Read by Node's and OpenSSL's error codes, through the chain of causes the clients wrap them in.
 */

/** The certificate does not chain to a CA the client trusts. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
]);
const NAME_MISMATCH = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const EXPIRED = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);
const REVOKED = new Set(['CERT_REVOKED']);
/** OpenSSL's alerts from a server that refused our (missing or unknown) client certificate. */
const CLIENT_CERT_REFUSED =
  /^ERR_SSL_(TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_BAD_CERTIFICATE|TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_CERTIFICATE_UNKNOWN|TLSV1_ALERT_ACCESS_DENIED)$/;
/** Not TLS at the other end (a plaintext port). */
const NOT_TLS = /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL)$/;
/**
 * MySQL: the server refuses connections without TLS (require_secure_transport, ER_SECURE_TRANSPORT_REQUIRED).
 * MariaDB answers such a login with Access denied (1045), which cannot be told from a wrong password.
 */
const SECURE_TRANSPORT_REQUIRED = new Set([3159]);

interface Errish {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

function chain(err: unknown): Errish[] {
  const out: Errish[] = [];
  const todo: unknown[] = [err];
  while (todo.length && out.length < 32) {
    const e = todo.shift();
    if (!e || typeof e !== 'object' || out.includes(e as Errish)) continue;
    const k = e as Errish;
    out.push(k);
    todo.push(k.cause, k.originalError, ...(Array.isArray(k.errors) ? k.errors : []));
  }
  return out;
}

/**
 * mysql2 replaces the code of a failed TLS upgrade by HANDSHAKE_SSL_ERROR and keeps Node's message
 * (OpenSSL's verify error text): the code is told from that message.
 */
const MESSAGE_CODES: [RegExp, string][] = [
  [/self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/self[- ]signed certificate/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/unable to get local issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/unable to get issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT'],
  [/certificate signature failure/i, 'CERT_SIGNATURE_FAILURE'],
  [/certificate not trusted|invalid CA certificate/i, 'CERT_UNTRUSTED'],
  [/does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
  [/certificate has expired/i, 'CERT_HAS_EXPIRED'],
  [/certificate is not yet valid/i, 'CERT_NOT_YET_VALID'],
  [/certificate revoked/i, 'CERT_REVOKED'],
  [/wrong version number|packet length too long/i, 'ERR_SSL_WRONG_VERSION_NUMBER'],
  [/alert unknown ca|alert bad certificate|certificate required|alert certificate unknown/i, 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
];

const codeFromMessage = (message: string): string | undefined => MESSAGE_CODES.find(([re]) => re.test(message))?.[1];

/** What went wrong, in words an operator acts on; undefined when the code is no TLS failure. */
function reasonOf(code: string, setting: string): string | undefined {
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT')
    return `the server does not support TLS (remove ${setting}, or enable TLS on the server)`;
  if (UNTRUSTED.has(code))
    return `the server's certificate is not trusted: it is not signed by the CA of ${setting}.ca (or by the system's CAs when no ca is given)`;
  if (NAME_MISMATCH.has(code))
    return `the server's certificate does not name the host connected to (${setting}.mode verify-full): connect by a name the certificate holds, or use mode verify-ca`;
  if (EXPIRED.has(code)) return "the server's certificate has expired or is not valid yet";
  if (REVOKED.has(code)) return "the server's certificate is revoked";
  if (CLIENT_CERT_REFUSED.test(code))
    return `the server refused the client certificate (${setting}.cert and ${setting}.key): it wants one its CA signed`;
  if (NOT_TLS.test(code)) return `the server does not speak TLS on that port (remove ${setting}, or use its TLS port)`;
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO') return 'the TLS handshake failed';
  return undefined;
}

/**
 * `err` as TLS_FAILED when it (or an error it wraps) is a TLS failure, else undefined. `what` names
 * the connection ("source 127.0.0.1:13316"), `setting` the config key of its TLS ("source.tls").
 */
export function tlsFailure(err: unknown, what: string, setting: string): SluiceError | undefined {
  if (err instanceof SluiceError) return err.code === 'TLS_FAILED' ? err : undefined;
  for (const e of chain(err)) {
    if (typeof e.errno === 'number' && SECURE_TRANSPORT_REQUIRED.has(e.errno)) {
      return new SluiceError(
        'TLS_FAILED',
        `${what} requires TLS (require_secure_transport) and the connection had none: set ${setting} (${String(e.message)})`,
        { cause: err },
      );
    }
    const message = String(e.message ?? '');
    let code = typeof e.code === 'string' ? e.code : '';
    if (code === 'HANDSHAKE_SSL_ERROR') code = codeFromMessage(message) ?? 'ERR_SSL_HANDSHAKE';
    const reason = code ? reasonOf(code, setting) : undefined;
    if (reason) {
      return new SluiceError('TLS_FAILED', `TLS to ${what} failed: ${reason} (${code}: ${message})`, { cause: err });
    }
  }
  return undefined;
}
