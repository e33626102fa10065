import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ALLOW_ZERO_DATES_SQL, mysqlOptionsFromUrl, qualified, quoteIdent } from '@sluice/core';
import mysql from 'mysql2/promise';

/**
 * The running local stack, from .stack/stack.env (written by `make up`) or the same keys in the
 * environment. A test that needs the stack and does not find it fails loudly: never skipped.
 */
export interface Stack {
  sourceUrl: string;
  /** MySQL 8, the second source (absent on a stack started before it was added). */
  mysql8Url: string | undefined;
  targets: { name: string; url: string }[];
  kafkaBrokers: string[];
  registryUrl: string;
  topicPrefix: string;
  /** Kafka's FAULT listener (a test's TCP proxy on proxyPort forwards to port); absent on an older stack. */
  kafkaFault: { port: number; proxyPort: number } | undefined;
  /** The S3-compatible object store (SeaweedFS, components/s3.sh); absent on a stack started before it was added. */
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string } | undefined;
}

export function stack(): Stack {
  const file = new URL('../../.stack/stack.env', import.meta.url);
  const vars: Record<string, string | undefined> = { ...process.env };
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (m && !process.env[m[1] as string]) vars[m[1] as string] = m[2];
    }
  }
  const need = (k: string): string => {
    const v = vars[k];
    if (!v) throw new Error(`${k} is not set: start the stack with 'make up' (it writes .stack/stack.env)`);
    return v;
  };
  const urls = need('TARGET_URLS').split(',');
  const names = (vars.TARGET_NAMES ?? '').split(',');
  return {
    sourceUrl: need('SOURCE_URL'),
    mysql8Url: vars.MYSQL8_URL,
    targets: urls.map((url, i) => ({ name: names[i] || `target${i}`, url })),
    kafkaBrokers: need('KAFKA_BROKERS').split(','),
    registryUrl: need('SCHEMA_REGISTRY_URL'),
    topicPrefix: vars.TOPIC_PREFIX ?? 'sluice',
    kafkaFault:
      vars.KAFKA_FAULT_PORT && vars.KAFKA_FAULT_PROXY_PORT
        ? { port: Number(vars.KAFKA_FAULT_PORT), proxyPort: Number(vars.KAFKA_FAULT_PROXY_PORT) }
        : undefined,
    s3:
      vars.S3_ENDPOINT && vars.S3_BUCKET && vars.S3_ACCESS_KEY && vars.S3_SECRET_KEY
        ? {
            endpoint: vars.S3_ENDPOINT,
            bucket: vars.S3_BUCKET,
            accessKeyId: vars.S3_ACCESS_KEY,
            secretAccessKey: vars.S3_SECRET_KEY,
          }
        : undefined,
  };
}

/** A database name no other test (or earlier run) uses. */
export const uniqueName = (prefix: string): string => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

export async function connect(url: string): Promise<mysql.Connection> {
  const conn = await mysql.createConnection({ ...mysqlOptionsFromUrl(url), multipleStatements: false });
  // Fixtures write zero dates, which MySQL 8 refuses by default (the sink's sessions allow them too).
  await conn.query(ALLOW_ZERO_DATES_SQL);
  return conn;
}

/** Polls `probe` until it returns a value that is not undefined, or fails with the last reason. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** All rows of a table, every column, as text/bytes the same way on every server, ordered by key. */
export async function rowsOf(conn: mysql.Connection, db: string, table: string, orderBy: string): Promise<unknown[]> {
  const [rows] = await conn.query({ sql: `SELECT * FROM ${qualified(db, table)} ORDER BY ${orderBy}`, rowsAsArray: true });
  return rows as unknown[];
}

/**
 * Waits until `table` holds the same rows in target as in source (the given columns, ordered by
 * the first), then compares once more so that a failure shows the difference.
 */
export async function expectConverged(opts: {
  source: mysql.Connection;
  target: mysql.Connection;
  db: string;
  targetDb?: string;
  table: string;
  targetTable?: string;
  columns: string[];
  timeoutMs?: number;
}): Promise<{ source: unknown[]; target: unknown[] }> {
  const cols = opts.columns.map(quoteIdent).join(', ');
  const read = async (c: mysql.Connection, db: string, table: string) => {
    const [rows] = await c.query({ sql: `SELECT ${cols} FROM ${qualified(db, table)} ORDER BY ${cols}`, rowsAsArray: true });
    return rows as unknown[];
  };
  const want = await read(opts.source, opts.db, opts.table);
  await waitFor(
    `${opts.targetDb ?? opts.db}.${opts.targetTable ?? opts.table} to converge`,
    async () => {
      const got = await read(opts.target, opts.targetDb ?? opts.db, opts.targetTable ?? opts.table).catch(() => []);
      return JSON.stringify(got) === JSON.stringify(want) ? true : undefined;
    },
    opts.timeoutMs ?? 90_000,
  ).catch(() => undefined);
  const got = await read(opts.target, opts.targetDb ?? opts.db, opts.targetTable ?? opts.table).catch((e) => [String(e)]);
  return { source: want, target: got };
}
