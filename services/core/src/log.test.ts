import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './log.ts';

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger('t', 'info', { write: (s: string) => lines.push(s) }) };
}

describe('createLogger', () => {
  it('never prints passwords, URLs or the SQL a mysql2 error carries', () => {
    const { lines, log } = capture();
    const err = Object.assign(new Error('Duplicate entry'), { sql: "INSERT INTO t VALUES ('s3cret')", errno: 1062 });
    log.error({ err }, 'write failed');
    log.info({ source: { url: 'mysql://u:s3cret@h:3306/' }, password: 's3cret', sasl: { password: 's3cret' } }, 'config');
    const out = lines.join('\n');
    expect(out).not.toContain('s3cret');
    expect(out).toContain('"errno":1062');
    expect(out).toContain('[redacted]');
  });

  it('never prints TLS options, a Kafka login or an HTTP authorization header', () => {
    const { lines, log } = capture();
    log.info({ conn: { ssl: { key: '-----BEGIN PRIVATE KEY-----s3cret' } }, sasl: { password: 's3cret' } }, 'connecting');
    log.info({ req: { headers: { authorization: 'Basic s3cret' } }, authorization: 'Basic s3cret' }, 'request');
    log.info({ cfg: { kafka: { sasl: { password: 's3cret' } }, schemaRegistry: { a: { password: 's3cret' } } } }, 'deep');
    expect(lines.join('\n')).not.toContain('s3cret');
  });
});

describe('redactUrl', () => {
  it('keeps the URL but its password', () => {
    expect(redactUrl('mysql://u:s3cret@h:3306/db')).toBe('mysql://u:***@h:3306/db');
    expect(redactUrl('not a url')).toBe('[unparseable url]');
  });
});
