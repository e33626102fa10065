import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_ZERO_DATES_SQL, mysqlOptionsFromUrl, quoteIdent, Secret, tlsSection } from '@sluice/core';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { type HttpsRegistry, startHttpsRegistry } from '../support/https-registry.ts';
import { ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { expectConverged, stack, uniqueName } from '../support/stack.ts';
import { startTlsServers, type TlsServers } from '../support/tls-servers.ts';

/**
 * Issue 17: TLS everywhere, SASL for Kafka. A pipeline whose every connection is secured:
 *   capture  <- binlog of a MariaDB that requires TLS (verify-full against the test CA; password from a file)
 *   capture  -> Kafka over SASL_SSL, SCRAM-SHA-512 (its Confluent transactional producer and its kafkajs admin)
 *   both     -> the schema registry over HTTPS with basic auth (a TLS proxy in front of the stack's registry)
 *   sink     <- Kafka over SASL_SSL, PLAIN (kafkajs consumer)
 *   sink     -> the same MariaDB, another database, with a client certificate (its user REQUIRE X509)
 * Rows inserted, updated and deleted arrive column for column; no password or key reaches a log.
 * Then three start-up failures, each a clear code and message: a CA that did not sign the source's
 * certificate, a wrong Kafka password, a wrong registry password.
 * The servers come from deploy/local/components/tls.sh (started here when they do not run).
 */
const s = stack();
const db = uniqueName('iso_tls');
const copy = `${db}_copy`;
const prefix = uniqueName('tls');
const registryUser = 'registry-user';
const registryPassword = randomBytes(12).toString('hex');
const COLUMNS = ['id', 'name', 'price', 'at', 'doc', 'bin', 'flag', 'big'];

let tls: TlsServers;
let registry: HttpsRegistry | undefined;
let admin: mysql.Connection | undefined;
let secretsDir: string;
const services: ServiceProcess[] = [];

const sourceUrl = () => `mysql://sluice@127.0.0.1:${tls.mariadbPort}/`;

/** The test's own sessions: admin over TLS, verified against the test CA (the server refuses anything else). */
async function connectAdmin(): Promise<mysql.Connection> {
  const conn = await mysql.createConnection(
    mysqlOptionsFromUrl({
      url: `mysql://admin@127.0.0.1:${tls.mariadbPort}/`,
      password: new Secret(tls.password('mariadb-admin')),
      tls: tlsSection.parse({ ca: tls.ca }),
    }),
  );
  await conn.query(ALLOW_ZERO_DATES_SQL);
  return conn;
}

const kafkaScram = (passwordOverride?: string) => ({
  brokers: tls.kafkaBrokers,
  tls: { mode: 'verify-full', ca: tls.ca },
  sasl: {
    mechanism: 'scram-sha-512',
    username: 'sluice',
    ...(passwordOverride ? { password: passwordOverride } : { passwordFile: tls.passwordFile('kafka-sluice') }),
  },
});

const registryAt = (passwordFile: string) => ({
  url: registry?.url,
  username: registryUser,
  passwordFile,
  tls: { mode: 'verify-full', ca: tls.ca },
});

type CaptureOpts = { ca?: string; kafkaPassword?: string; registryPasswordFile?: string };

/** What capture's config adds to ownCapture's: TLS and passwords of the source, Kafka's SASL_SSL, the registry's HTTPS. */
const captureSecurity = (opts: CaptureOpts = {}) => ({
  source: { passwordFile: tls.passwordFile('mariadb-sluice'), tls: { mode: 'verify-full', ca: opts.ca ?? tls.ca } },
  kafka: kafkaScram(opts.kafkaPassword),
  schemaRegistry: registryAt(opts.registryPasswordFile ?? join(secretsDir, 'registry.password')),
});

function capture(name: string, opts: CaptureOpts & { prefix: string }) {
  const c = ownCapture(s, {
    name,
    prefix: opts.prefix,
    sourceUrl: sourceUrl(),
    include: [`${db}.*`],
    extra: { ...captureSecurity(opts), topics: { cleanupPolicy: 'delete' } },
  });
  services.push(c);
  return c;
}

/** The sink's settings: the target over mutual TLS (client certificate), Kafka over SASL_SSL with PLAIN. */
const sinkSecurity = () => ({
  target: {
    url: `mysql://sink@127.0.0.1:${tls.mariadbPort}/`,
    kind: 'mariadb',
    password: tls.password('mariadb-sink'),
    tls: { mode: 'verify-full', ca: tls.ca, cert: tls.clientCert, key: tls.clientKey },
  },
  kafka: {
    brokers: tls.kafkaBrokers,
    tls: { ca: tls.ca },
    sasl: { mechanism: 'plain', username: 'plain', passwordFile: tls.passwordFile('kafka-plain') },
  },
  schemaRegistry: registryAt(join(secretsDir, 'registry.password')),
  routes: [{ from: `${db}.*`, to: `${copy}.*` }],
});

beforeAll(async () => {
  tls = startTlsServers();
  secretsDir = mkdtempSync(join(tmpdir(), 'sluice-tls-secrets-'));
  writeFileSync(join(secretsDir, 'registry.password'), `${registryPassword}\n`, { mode: 0o600 });
  writeFileSync(join(secretsDir, 'wrong-registry.password'), 'not-the-password\n', { mode: 0o600 });
  registry = await startHttpsRegistry({
    upstream: new URL(s.registryUrl).origin,
    cert: readFileSync(tls.serverCert, 'utf8'),
    key: readFileSync(tls.serverKey, 'utf8'),
    username: registryUser,
    password: registryPassword,
  });
  admin = await connectAdmin();
  await admin.query(`CREATE DATABASE ${quoteIdent(db)}`);
  await admin.query(
    `CREATE TABLE ${quoteIdent(db)}.t (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(12,2), at DATETIME(3),
       doc JSON, bin VARBINARY(16), flag TINYINT(1), big BIGINT UNSIGNED)`,
  );
  // Snapshot rows: there before the capture starts.
  await admin.query(
    `INSERT INTO ${quoteIdent(db)}.t VALUES
       (1, 'tea', 3.50, '2026-01-02 03:04:05.678', '{"a": [1, 2]}', 0x00ff10, 1, 18446744073709551615),
       (2, 'café ☕', 0.00, '1999-12-31 23:59:59.999', NULL, NULL, 0, 0)`,
  );
});

afterAll(async () => {
  await Promise.all(services.map((p) => p.stop()));
  await registry?.close();
  for (const d of [db, copy]) await admin?.query(`DROP DATABASE IF EXISTS ${quoteIdent(d)}`);
  await admin?.query('DELETE FROM _sluice.checkpoints WHERE sink LIKE ?', [`${prefix}%`]).catch(() => undefined);
  await admin?.end();
});

describe('TLS everywhere, SASL for Kafka', () => {
  it('captures over TLS, publishes over SASL_SSL, registers over HTTPS with basic auth and applies over mutual TLS', async () => {
    const cap = capture(`capture-${prefix}`, { prefix });
    const sinkName = `${prefix}-sink`;
    const sink = ownSink(s, { name: sinkName, prefix, targetUrl: 'unused', extra: sinkSecurity() });
    services.push(sink);
    await Promise.all([cap.start(), sink.start()]);
    await cap.waitLog(/"msg":"capture streaming"/);

    const c = admin as mysql.Connection;
    const t = `${quoteIdent(db)}.t`;
    await c.query(`INSERT INTO ${t} VALUES (3, 'new', 99.99, '2026-06-01 00:00:00.000', '{"b": null}', 0x01, 1, 42),
      (4, 'gone soon', 1.00, NULL, '[]', X'', 0, 7)`);
    await c.query(`UPDATE ${t} SET name = 'green tea', price = 4.25, doc = JSON_SET(doc, '$.c', 'x') WHERE id = 1`);
    await c.query(`UPDATE ${t} SET bin = 0xdeadbeef, flag = NULL WHERE id = 2`);
    await c.query(`DELETE FROM ${t} WHERE id = 4`);
    await c.query(`INSERT INTO ${t} VALUES (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);

    const { source, target } = await expectConverged({
      source: c,
      target: c,
      db,
      targetDb: copy,
      table: 't',
      columns: COLUMNS,
      timeoutMs: 30_000,
    });
    expect(source.length, `${cap.tail()}\n${sink.tail()}`).toBe(4);
    expect(target.length, `${cap.tail()}\n${sink.tail()}`).toBe(source.length);
    // Column by column, so that a difference names its row and column.
    for (const [i, row] of (source as unknown[][]).entries()) {
      const got = (target as unknown[][])[i] as unknown[];
      for (const [j, col] of COLUMNS.entries()) expect(got[j], `row id=${row[0]}, column ${col}`).toEqual(row[j]);
    }
    expect(registry?.counts.forwarded).toBeGreaterThan(0);

    // No secret reaches a log: passwords (file, inline, the registry's basic auth) and the client key.
    const logs = cap.log() + sink.log();
    const key = readFileSync(tls.clientKey, 'utf8').split('\n')[1] as string;
    const secrets = {
      'source password': tls.password('mariadb-sluice'),
      'target password': tls.password('mariadb-sink'),
      'kafka SCRAM password': tls.password('kafka-sluice'),
      'kafka PLAIN password': tls.password('kafka-plain'),
      'registry password': registryPassword,
      'registry basic auth': Buffer.from(`${registryUser}:${registryPassword}`).toString('base64'),
      'client key': key,
    };
    for (const [what, secret] of Object.entries(secrets)) expect(logs, `a log holds the ${what}`).not.toContain(secret);
    expect(logs).not.toContain('"insecure":true');

    // The CLI connects with the config files' TLS, SASL and passwords: verify (source and target
    // over TLS) and status (Kafka over SASL_SSL, the registry over HTTPS, the target).
    const captureConfig = configFile('tls-capture', {
      captureId: prefix,
      ...captureSecurity(),
      source: { url: sourceUrl(), ...captureSecurity().source },
      topicPrefix: prefix,
      tables: { include: [`${db}.*`] },
      http: { port: cap.port },
    });
    const sinkConfig = configFile('tls-sink', { sinkName, topicPrefix: prefix, ...sinkSecurity() });
    const verify = await sluice([
      'verify',
      '--capture-config',
      captureConfig,
      '--sink-config',
      sinkConfig,
      '--tables',
      `${db}.t`,
    ]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const status = await sluice(['status', '--capture-config', captureConfig, '--sink-config', sinkConfig]);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    const cliOutput = verify.stdout + verify.stderr + status.stdout + status.stderr;
    for (const [what, secret] of Object.entries(secrets)) expect(cliOutput, `the CLI printed the ${what}`).not.toContain(secret);
  });

  it('stops at start-up with a clear code when the CA, the Kafka password or the registry password is wrong', async () => {
    const cases = [
      {
        name: 'wrong-ca',
        opts: { ca: tls.otherCa },
        code: 'TLS_FAILED',
        message:
          /TLS to the source failed: the server's certificate is not trusted: it is not signed by the CA of source\.tls\.ca/,
      },
      {
        name: 'wrong-kafka-password',
        opts: { kafkaPassword: 'not-the-password' },
        code: 'KAFKA_AUTH_FAILED',
        message: /the brokers refused the SASL login .*check kafka\.sasl/,
      },
      {
        name: 'wrong-registry-password',
        opts: { registryPasswordFile: join(secretsDir, 'wrong-registry.password') },
        code: 'REGISTRY_MISCONFIGURED',
        message: /schema registry refused the credentials \(401\).*checking the registry at start-up/,
      },
    ];
    const started = Date.now();
    const outcomes = await Promise.all(
      cases.map(async (k) => {
        const p = capture(`capture-${k.name}`, { prefix: uniqueName('tlsf'), ...k.opts });
        const startError = await p.start().then(
          () => undefined,
          (e: unknown) => e,
        );
        return { k, p, startError, exit: await p.waitExit() };
      }),
    );
    for (const { k, p, startError, exit } of outcomes) {
      expect(startError, `${k.name} started:\n${p.tail()}`).toBeDefined();
      expect(exit, k.name).toBe(1);
      const fatal = p
        .log()
        .split('\n')
        .filter((l) => l.includes('"level":60'))
        .map((l) => JSON.parse(l) as { code?: string; msg: string; fix?: string });
      expect(fatal.length, `${k.name}:\n${p.tail()}`).toBe(1);
      expect(fatal[0]?.code, `${k.name}: ${fatal[0]?.msg}`).toBe(k.code);
      expect(fatal[0]?.msg).toMatch(k.message);
      expect(fatal[0]?.fix).toBeTruthy();
      expect(p.log()).not.toContain(tls.password('kafka-sluice'));
    }
    // Not after retrying: each stops at its first attempt.
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
