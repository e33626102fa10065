import { z } from 'zod';
import { READY_GRACE_MS } from '../health/progress.ts';
import type { EnvOverride } from './load-config.ts';
import { notBothPasswords, passwordFields } from './secret.ts';
import { saslSection, tlsSection } from './tls.ts';

/** Config pieces shared by capture and sink. */
export const mysqlUrl = z
  .string()
  .refine((s) => /^mysql:\/\//.test(s) && URL.canParse(s), 'expected a URL like mysql://user:password@host:3306/');

/**
 * A MySQL-family server to connect to: its URL, and optionally TLS and a password kept out of the
 * URL (passwordFile, or SLUICE_SOURCE_PASSWORD / SLUICE_TARGET_PASSWORD), which replaces the URL's.
 */
export const mysqlEndpoint = z
  .object({
    url: mysqlUrl,
    ...passwordFields,
    tls: tlsSection.optional(),
  })
  .superRefine(notBothPasswords);

export const kafkaSection = z.object({
  brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1),
  clientId: z.string().default('sluice'),
  /** TLS to the brokers (SSL, or SASL_SSL with sasl). */
  tls: tlsSection.optional(),
  /** A SASL login (SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN). */
  sasl: saslSection.optional(),
});

export const registrySection = z
  .object({
    url: z.string().url(),
    /** Basic auth, instead of user:password in the URL; the password from password, passwordFile or SLUICE_SCHEMA_REGISTRY_PASSWORD. */
    username: z.string().min(1).optional(),
    ...passwordFields,
    /** For an https:// URL: the CA, the verification mode, a client certificate. */
    tls: tlsSection.optional(),
  })
  .superRefine((r, ctx) => {
    notBothPasswords(r, ctx);
    const u = URL.canParse(r.url) ? new URL(r.url) : undefined;
    if (!!r.username !== !!(r.password || r.passwordFile)) {
      ctx.addIssue({
        code: 'custom',
        path: [r.username ? 'password' : 'username'],
        message: 'username and password (or passwordFile) go together',
      });
    }
    if (r.username && (u?.username || u?.password)) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'the url has credentials too: give them in one place' });
    }
    if (r.tls && u && u.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: `tls is set, but the url is ${u.protocol}//: use https://` });
    }
  });

export const httpSection = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  /** How long a component (Kafka, target, registry, source) may fail before /readyz answers 503. */
  readyGraceMs: z.number().int().min(0).max(600_000).default(READY_GRACE_MS),
});

/** The http section when the file has none. */
export const HTTP_DEFAULTS = { port: 0, host: '127.0.0.1', readyGraceMs: READY_GRACE_MS };

export const topicPrefix = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only (it starts every topic name)')
  // Leaves a topic name (at most 249 characters) room for both names of a table: docs/limits.md.
  .max(100)
  .default('sluice');

/**
 * Secrets the environment can give both services (a Kubernetes Secret as a variable): each sets
 * its field as written in the file would, and is never logged.
 */
export const SECRET_ENV: EnvOverride[] = [
  { env: 'SLUICE_KAFKA_SASL_PASSWORD', path: 'kafka.sasl.password' },
  { env: 'SLUICE_SCHEMA_REGISTRY_PASSWORD', path: 'schemaRegistry.password' },
];
