import { quoteIdent } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { freePort, ServiceProcess } from './services.ts';
import type { Stack } from './stack.ts';

let serverIds = 55000 + (process.pid % 500) * 2;

/** A capture of its own for one test: own capture id, topic prefix and replica server id. */
export function ownCapture(
  s: Stack,
  opts: {
    name: string;
    prefix: string;
    sourceUrl?: string;
    include: string[];
    extra?: Record<string, unknown>;
    nodeFlags?: string[];
  },
) {
  // `extra.source` adds to the source block (its own server id stays).
  const { source, ...extra } = opts.extra ?? {};
  return new ServiceProcess(
    'capture',
    opts.name,
    {
      captureId: opts.prefix,
      source: { url: opts.sourceUrl ?? s.sourceUrl, serverId: serverIds++, ...(source as object | undefined) },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: opts.prefix,
      tables: { include: opts.include },
      ...extra,
    },
    freePort(),
    opts.nodeFlags,
  );
}

/** A sink of its own for one test, reading the topics of `prefix`. */
export function ownSink(
  s: Stack,
  opts: { name: string; prefix: string; targetUrl: string; kind?: string; extra?: Record<string, unknown> },
) {
  return new ServiceProcess(
    'sink',
    opts.name,
    {
      sinkName: opts.name,
      target: { url: opts.targetUrl, kind: opts.kind ?? 'mariadb' },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: opts.prefix,
      topicRefreshMs: 500,
      ...opts.extra,
    },
    freePort(),
  );
}

/**
 * What a test's own pipeline leaves behind: its services stopped, its database dropped on the
 * source and on every target, its sinks' checkpoints (named after the prefix) deleted.
 */
export async function cleanUpPipeline(o: {
  services: ServiceProcess[];
  source: mysql.Connection | undefined;
  targets: { conn: mysql.Connection }[];
  db: string;
  prefix: string;
}): Promise<void> {
  // At once: a sink takes seconds to leave its consumer group, and the order does not matter here.
  await Promise.all(o.services.map((p) => p.stop()));
  await o.source?.query(`DROP DATABASE IF EXISTS ${quoteIdent(o.db)}`);
  await o.source?.end();
  for (const t of o.targets) {
    await t.conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(o.db)}`);
    await t.conn.query('DELETE FROM _sluice.checkpoints WHERE sink LIKE ?', [`${o.prefix}%`]).catch(() => undefined);
    await t.conn.end();
  }
}
