import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Field names whose values must never reach a log line. `sql`: mysql2 errors carry the statement
 * that failed (row values, or a statement read from the source), and pino prints an `err`'s own
 * fields. `sasl`, `ssl`, `authorization`: a Kafka client's login, a client's TLS options (a
 * private key), an HTTP request's basic auth. The config's own secrets (config/secret.ts) print as
 * [redacted] wherever they are.
 */
const REDACT = [
  ...['password', 'url', 'sql', 'sasl', 'ssl', 'authorization'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  '*.*.*.password',
  '*.headers.authorization',
];

export function createLogger(
  service: string,
  level = process.env.SLUICE_LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const opts = { name: service, level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(opts, destination) : pino(opts);
}

/** A URL safe to print: the password (if any) replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** `text` with the password of every URL in it replaced by ***, for text that may quote user input. */
export const redactUrlsIn = (text: string): string => text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]*@/gi, '$1***@');
