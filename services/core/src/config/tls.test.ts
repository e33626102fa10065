import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SluiceError } from '../errors.ts';
import { CA_CERT, OTHER_KEY, SERVER_CERT, SERVER_KEY } from '../net/testing/certificates.ts';
import { kafkaSection, mysqlEndpoint, registrySection, SECRET_ENV } from './common.ts';
import { loadConfig } from './load-config.ts';
import { passwordOf, Secret } from './secret.ts';
import { insecureSettings } from './tls.ts';

const schema = z.object({ source: mysqlEndpoint, kafka: kafkaSection, schemaRegistry: registrySection });
const dir = mkdtempSync(join(tmpdir(), 'tls-cfg-'));
const put = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const ca = put('ca.pem', CA_CERT);
const cert = put('server.pem', SERVER_CERT);
const key = put('server.key', SERVER_KEY);
const otherKey = put('other.key', OTHER_KEY);
const pwFile = put('kafka.password', 's3cret-from-file\n');

const PARTS = {
  source: "source: { url: 'mysql://u@h:3306/' }",
  kafka: "kafka: { brokers: ['k:9093'] }",
  registry: "schemaRegistry: { url: 'https://r:8081/apis/ccompat/v7' }",
};
/** A config of the three sections, with the given ones written instead of the plain ones. */
const yaml = (parts: Partial<typeof PARTS> = {}): string =>
  `${[parts.source ?? PARTS.source, parts.kafka ?? PARTS.kafka, parts.registry ?? PARTS.registry].join('\n')}\n`;
const BASE = yaml();

function load(text: string, env: NodeJS.ProcessEnv = {}) {
  return loadConfig(schema, { file: put(`c-${Math.random()}.yaml`, text), env, overrides: SECRET_ENV });
}

/** The CONFIG_INVALID message for `text`. */
function refused(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    load(text, env);
  } catch (err) {
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).code).toBe('CONFIG_INVALID');
    return (err as SluiceError).message;
  }
  throw new Error('the config was accepted');
}

describe('tls sections', () => {
  it('reads CA, certificate and key at load, verify-full by default', () => {
    const cfg = load(
      `source:\n  url: 'mysql://u@h:3306/'\n  tls: { ca: ${ca}, cert: ${cert}, key: ${key} }\n` +
        "kafka: { brokers: ['k:9093'], tls: { mode: verify-ca, ca: " +
        ca +
        ' } }\n' +
        "schemaRegistry: { url: 'https://r/', tls: { mode: skip-verify } }\n",
    );
    expect(cfg.source.tls?.mode).toBe('verify-full');
    expect(cfg.source.tls?.ca).toEqual({ path: ca, text: CA_CERT });
    expect(cfg.source.tls?.cert?.path).toBe(cert);
    expect(cfg.source.tls?.key?.text.reveal()).toBe(SERVER_KEY);
    expect(cfg.kafka.tls?.mode).toBe('verify-ca');
    expect(cfg.schemaRegistry.tls).toEqual({ mode: 'skip-verify' });
    // The key never prints: not in JSON (the logs), not by inspect.
    expect(JSON.stringify(cfg)).not.toContain('PRIVATE KEY');
    expect(inspect(cfg, { depth: 10 })).not.toContain('PRIVATE KEY');
  });

  it('refuses a file that is missing or unreadable, naming the field, the path and the reason', () => {
    const missing = join(dir, 'nope.pem');
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], tls: { ca: ${missing} } }` }))).toContain(
      `kafka.tls.ca: cannot read the CA certificate file ${missing}: no such file (ENOENT) (line 2)`,
    );
    const unreadable = put('locked.key', SERVER_KEY);
    chmodSync(unreadable, 0o000);
    // root reads any file: the check is only meaningful for another user.
    if (process.getuid?.() !== 0) {
      expect(refused(yaml({ source: `source: { url: 'mysql://u@h/', tls: { cert: ${cert}, key: ${unreadable} } }` }))).toMatch(
        /source\.tls\.key: cannot read the private key .*locked\.key: permission denied \(EACCES\)/,
      );
    }
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], tls: { ca: ${dir} } }` }))).toContain(
      'it is a directory (EISDIR)',
    );
  });

  it('refuses files that hold no certificate or key, and a key of another certificate', () => {
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], tls: { ca: ${pwFile} } }` }))).toMatch(
      /kafka\.tls\.ca: the CA certificate file .* holds no PEM certificate/,
    );
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], tls: { cert: ${cert}, key: ${ca} } }` }))).toMatch(
      /kafka\.tls\.key: the private key .* is not an unencrypted PEM private key/,
    );
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], tls: { cert: ${cert}, key: ${otherKey} } }` }))).toContain(
      `kafka.tls.key: the private key ${otherKey} does not belong to the certificate ${cert}`,
    );
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], tls: { cert: ${cert} } }` }))).toContain(
      'kafka.tls.key: cert and key go together',
    );
  });

  it('refuses unknown keys and modes inside tls and sasl, naming the field', () => {
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], tls: { cafile: ${ca} } }` }))).toContain(
      'kafka.tls.cafile: unknown key',
    );
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], tls: { mode: verify } }` }))).toMatch(
      /kafka\.tls\.mode: .*verify-full/,
    );
    expect(
      refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], sasl: { mechanism: scram-sha-512, user: u, password: p } }` })),
    ).toContain('kafka.sasl.user: unknown key');
    expect(
      refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], sasl: { mechanism: gssapi, username: u, password: p } }` })),
    ).toContain('kafka.sasl.mechanism');
  });
});

describe('secrets', () => {
  it('takes a SASL password from a file (without its line end), the config, or the environment', () => {
    const fromFile = load(
      yaml({ kafka: `kafka: { brokers: ['k:9093'], sasl: { mechanism: scram-sha-512, username: u, passwordFile: ${pwFile} } }` }),
    );
    expect(fromFile.kafka.sasl && passwordOf(fromFile.kafka.sasl)?.reveal()).toBe('s3cret-from-file');
    const fromEnv = load(yaml({ kafka: `kafka: { brokers: ['k:9093'], sasl: { mechanism: plain, username: u } }` }), {
      SLUICE_KAFKA_SASL_PASSWORD: 'env-secret',
    });
    expect(fromEnv.kafka.sasl?.password?.reveal()).toBe('env-secret');
    expect(JSON.stringify(fromEnv)).not.toContain('env-secret');
  });

  it('refuses a SASL login without a password, and a password given twice', () => {
    expect(refused(yaml({ kafka: `kafka: { brokers: ['k:9093'], sasl: { mechanism: plain, username: u } }` }))).toContain(
      'kafka.sasl.password: required: give password, passwordFile, or the environment variable SLUICE_KAFKA_SASL_PASSWORD',
    );
    const twice = refused(
      yaml({ kafka: `kafka: { brokers: ['k:9093'], sasl: { mechanism: plain, username: u, passwordFile: ${pwFile} } }` }),
      { SLUICE_KAFKA_SASL_PASSWORD: 'x' },
    );
    expect(twice).toContain('kafka.sasl.passwordFile: password is set too');
    expect(twice).not.toContain('s3cret-from-file');
  });

  it('refuses a password file that is missing or empty', () => {
    const empty = put('empty.password', '\n');
    expect(refused(yaml({ source: `source: { url: 'mysql://u@h/', passwordFile: ${empty} }` }))).toContain(
      `source.passwordFile: the password file ${empty} is empty`,
    );
    expect(refused(yaml({ source: `source: { url: 'mysql://u@h/', passwordFile: /nonexistent/pw }` }))).toContain(
      'source.passwordFile: cannot read the password file /nonexistent/pw: no such file (ENOENT)',
    );
  });

  it('takes registry credentials as username and password, not together with credentials in the url', () => {
    const ok = load(
      `source: { url: 'mysql://u@h/' }\nkafka: { brokers: ['k:9093'] }\nschemaRegistry: { url: 'https://r/', username: reg, passwordFile: ${pwFile} }\n`,
    );
    expect(ok.schemaRegistry.username).toBe('reg');
    expect(
      refused(
        "source: { url: 'mysql://u@h/' }\nkafka: { brokers: ['k:9093'] }\nschemaRegistry: { url: 'https://r/', username: reg }\n",
      ),
    ).toContain('schemaRegistry.password: username and password (or passwordFile) go together');
    expect(
      refused(
        "source: { url: 'mysql://u@h/' }\nkafka: { brokers: ['k:9093'] }\nschemaRegistry: { url: 'https://a:b@r/', username: reg, password: p }\n",
      ),
    ).toContain('schemaRegistry.username: the url has credentials too');
    expect(
      refused(
        `source: { url: 'mysql://u@h/' }\nkafka: { brokers: ['k:9093'] }\nschemaRegistry: { url: 'http://r/', tls: { ca: ${ca} } }\n`,
      ),
    ).toContain('schemaRegistry.tls: tls is set, but the url is http://: use https://');
  });

  it('a Secret prints as [redacted] however it is printed', () => {
    const s = new Secret('hunter2');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(`${s}`).toBe('[redacted]');
    expect(inspect({ s })).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2');
  });
});

describe('insecureSettings', () => {
  it('names every skip-verify and every PLAIN login without TLS', () => {
    const cfg = load(
      `source: { url: 'mysql://u@h/', tls: { mode: skip-verify } }\n` +
        "kafka: { brokers: ['k:9093'], sasl: { mechanism: plain, username: u, password: p } }\n" +
        "schemaRegistry: { url: 'https://r/', tls: { mode: verify-ca } }\n",
    );
    const warnings = insecureSettings(cfg);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^source\.tls\.mode is skip-verify: the server's certificate is NOT verified/);
    expect(warnings[1]).toMatch(/^kafka\.sasl is PLAIN without kafka\.tls: the Kafka password travels in the clear/);
    expect(insecureSettings(load(BASE))).toEqual([]);
  });
});
