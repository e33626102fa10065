#!/usr/bin/env node
import {
  configFileFromArgs,
  createKafka,
  createLogger,
  createMetricsRegistry,
  exitOnFailure,
  Registry,
  redactUrl,
  startHealthServer,
} from '@sluice/core';
import { TargetWriter } from './apply/target-writer.ts';
import { loadSinkConfig } from './config.ts';
import { newestColumns, newestRenames } from './decode/newest-renames.ts';
import { SinkMetrics } from './observe/sink-metrics.ts';
import { Router } from './route/router.ts';
import { ShardCatalog } from './route/shard-catalog.ts';
import { Sink } from './sink.ts';

const log = createLogger('sink');

async function main(): Promise<number> {
  const cfg = loadSinkConfig(configFileFromArgs(process.argv.slice(2)));
  const slog = log.child({ sink: cfg.sinkName });
  slog.info({ target: redactUrl(cfg.target.url), kind: cfg.target.kind, brokers: cfg.kafka.brokers }, 'starting sink');
  const registry = new Registry(cfg.schemaRegistry.url);
  // Shards of merged tables, asked only when a shard's layout would change its merged table.
  const kafka = createKafka({ brokers: cfg.kafka.brokers, clientId: `${cfg.kafka.clientId}-sink-shards`, log: slog });
  const shards = new ShardCatalog({
    registry,
    prefix: cfg.topicPrefix,
    router: new Router(cfg.routes),
    // An admin per ask (rare): partitions applied in parallel may ask at once.
    listTopics: async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await admin.listTopics();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  });
  const writer = new TargetWriter({
    url: cfg.target.url,
    poolSize: cfg.target.poolSize,
    log: slog,
    checkpointSchema: cfg.checkpointSchema,
    staleWriteGuard: cfg.staleWriteGuard,
    ddl: cfg.ddl,
    sinkName: cfg.sinkName,
    newestRenames: newestRenames(registry, cfg.topicPrefix),
    newestColumns: newestColumns(registry, cfg.topicPrefix),
    shardLayouts: shards.layouts,
  });
  const metrics = createMetricsRegistry('sink');
  const sink = new Sink(cfg, writer, slog, new SinkMetrics(metrics));
  const http = await startHealthServer({
    ...cfg.http,
    metrics,
    ready: () => (sink.ready ? { ok: true } : { ok: false, reason: 'not consuming yet' }),
  });
  const shutdown = async (signal: string) => {
    slog.info({ signal }, 'stopping');
    await sink.stop();
    http.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await sink.run();
  return 0;
}

main().then((code) => process.exit(code), exitOnFailure('sink', log));
