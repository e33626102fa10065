import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { notBothPasswords, passwordFields, readNamedFile, Secret } from './secret.ts';

/**
 * How much of the server's certificate a TLS connection checks:
 * - verify-full: signed by the CA (tls.ca, else the system's CAs) and naming the host connected to;
 * - verify-ca: signed by the CA, whatever host it names;
 * - skip-verify: nothing (encrypted, but anyone on the path can pose as the server): the services
 *   log a warning at every start.
 */
export const TLS_MODES = ['verify-full', 'verify-ca', 'skip-verify'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** A PEM file the config names, read at start-up. */
export interface PemFile {
  path: string;
  text: string;
}

/** A private key file, read at start-up; its text never prints (Secret). */
export interface KeyFile {
  path: string;
  text: Secret;
}

/** One connection's TLS settings, its files read and checked at start-up (config load). */
export interface TlsSettings {
  mode: TlsMode;
  /** The CA certificates the server's certificate must chain to; the system's CAs when absent. */
  ca?: PemFile;
  /** A client certificate and its key, for servers that ask for one (mutual TLS). */
  cert?: PemFile;
  key?: KeyFile;
}

const certificates = (what: string) =>
  z
    .string()
    .min(1)
    .transform((path, ctx): PemFile => {
      const text = readNamedFile(path, what, ctx);
      if (text === undefined) return z.NEVER;
      try {
        // The first certificate is parsed: a file that is not PEM (a DER file, a key) fails here, not at connect.
        new X509Certificate(text);
      } catch (cause) {
        ctx.addIssue({
          code: 'custom',
          message: `the ${what} ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${(cause as Error).message}`,
        });
        return z.NEVER;
      }
      return { path, text };
    });

const privateKey = z
  .string()
  .min(1)
  .transform((path, ctx): KeyFile => {
    const text = readNamedFile(path, 'private key', ctx);
    if (text === undefined) return z.NEVER;
    try {
      createPrivateKey(text);
    } catch (cause) {
      ctx.addIssue({
        code: 'custom',
        // Node's reason only: never the file's text.
        message: `the private key ${path} is not an unencrypted PEM private key: ${(cause as Error).message}`,
      });
      return z.NEVER;
    }
    return { path, text: new Secret(text) };
  });

/**
 * `tls:` of a connection (source, target, kafka, schemaRegistry). Present means TLS is used; `{}`
 * is verify-full against the system's CAs. Files are read, parsed and matched at start-up, so a
 * missing, unreadable or wrong file stops the service there, naming the field and the path.
 */
export const tlsSection = z
  .object({
    mode: z.enum(TLS_MODES).default('verify-full'),
    /** PEM file of the CA certificate(s) that sign the server's certificate. */
    ca: certificates('CA certificate file').optional(),
    /** PEM file of a client certificate, with key: for servers that require one. */
    cert: certificates('client certificate file').optional(),
    /** PEM file of the client certificate's private key (unencrypted: protect it by file permissions). */
    key: privateKey.optional(),
  })
  .superRefine((t, ctx) => {
    if (!!t.cert !== !!t.key) {
      ctx.addIssue({
        code: 'custom',
        path: [t.cert ? 'key' : 'cert'],
        message: 'cert and key go together: give both or neither',
      });
      return;
    }
    if (t.cert && t.key && !certificateHoldsKey(t.cert.text, t.key.text)) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: `the private key ${t.key.path} does not belong to the certificate ${t.cert.path}`,
      });
    }
  });

function certificateHoldsKey(cert: string, key: Secret): boolean {
  let k: KeyObject;
  try {
    k = createPrivateKey(key.reveal());
    return new X509Certificate(cert).checkPrivateKey(k);
  } catch {
    return false;
  }
}

/** Kafka's SASL mechanisms sluice speaks (both Kafka clients): SCRAM-SHA-512, SCRAM-SHA-256, PLAIN. */
export const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** `kafka.sasl:` a SASL login to the brokers; the password from the file, passwordFile or SLUICE_KAFKA_SASL_PASSWORD. */
export const saslSection = z
  .object({
    mechanism: z.enum(SASL_MECHANISMS),
    username: z.string().min(1),
    ...passwordFields,
  })
  .superRefine((s, ctx) => {
    notBothPasswords(s, ctx);
    if (!s.password && !s.passwordFile) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'required: give password, passwordFile, or the environment variable SLUICE_KAFKA_SASL_PASSWORD',
      });
    }
  });

export type SaslSettings = z.infer<typeof saslSection>;

/**
 * What the config weakens, for the services to log as warnings at every start: TLS without
 * verification (skip-verify), and a password sent in the clear (SASL PLAIN without TLS).
 * `config` is a loaded config (any service's): every `tls` section in it is looked at.
 */
export function insecureSettings(config: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (!v || typeof v !== 'object' || v instanceof Secret || Array.isArray(v)) return;
    const o = v as Record<string, unknown>;
    const tls = o.tls as TlsSettings | undefined;
    const at = (k: string) => [...path, k].join('.');
    if (tls?.mode === 'skip-verify') {
      out.push(
        `${at('tls')}.mode is skip-verify: the server's certificate is NOT verified, so anyone on the network path can pose as it and read the data and passwords; use verify-full (or verify-ca) with tls.ca`,
      );
    }
    const sasl = o.sasl as SaslSettings | undefined;
    if (sasl?.mechanism === 'plain' && !tls) {
      out.push(`${at('sasl')} is PLAIN without ${at('tls')}: the Kafka password travels in the clear; add tls`);
    }
    for (const [k, child] of Object.entries(o)) if (k !== 'tls' && k !== 'sasl') walk(child, [...path, k]);
  };
  walk(config, []);
  return out;
}
