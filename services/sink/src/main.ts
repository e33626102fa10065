#!/usr/bin/env node
import {
  configFileFromArgs,
  createKafka,
  createLogger,
  createMetricsRegistry,
  exitOnFailure,
  insecureSettings,
  type Logger,
  ProgressMonitor,
  Registry,
  redactUrl,
  registerProgressMetrics,
  startHealthServer,
} from '@sluice/core';
import { TargetWriter } from './apply/target-writer.ts';
import { isArchiveSink, loadArchiveSinkConfig } from './archive/archive-config.ts';
import { ArchiveMetrics, ArchiveSink } from './archive/archive-sink.ts';
import { loadSinkConfig } from './config.ts';
import { newestColumns, newestRenames } from './decode/newest-renames.ts';
import { SinkMetrics } from './observe/sink-metrics.ts';
import { Router } from './route/router.ts';
import { ShardCatalog } from './route/shard-catalog.ts';
import { Sink } from './sink.ts';

const log = createLogger('sink');

async function main(): Promise<number> {
  const file = configFileFromArgs(process.argv.slice(2));
  if (isArchiveSink(file)) return archive(file);
  const cfg = loadSinkConfig(file);
  const slog = log.child({ sink: cfg.sinkName });
  slog.info({ target: redactUrl(cfg.target.url), kind: cfg.target.kind, brokers: cfg.kafka.brokers }, 'starting sink');
  for (const w of insecureSettings(cfg)) slog.warn({ insecure: true }, w);
  // What readiness and the disconnected metrics read: outcomes of the sink's own operations.
  const progress = new ProgressMonitor({ graceMs: cfg.http.readyGraceMs });
  const registry = new Registry(cfg.schemaRegistry, progress.watch('registry'));
  // Shards of merged tables, asked only when a shard's layout would change its merged table.
  const kafka = createKafka({
    brokers: cfg.kafka.brokers,
    tls: cfg.kafka.tls,
    sasl: cfg.kafka.sasl,
    clientId: `${cfg.kafka.clientId}-sink-shards`,
    log: slog,
  });
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
    url: cfg.target,
    poolSize: cfg.target.poolSize,
    log: slog,
    checkpointSchema: cfg.checkpointSchema,
    staleWriteGuard: cfg.staleWriteGuard,
    originMarker: cfg.originMarker,
    ddl: cfg.ddl,
    sinkName: cfg.sinkName,
    newestRenames: newestRenames(registry, cfg.topicPrefix),
    newestColumns: newestColumns(registry, cfg.topicPrefix),
    shardLayouts: shards.layouts,
  });
  const metrics = createMetricsRegistry('sink');
  registerProgressMetrics(metrics, 'sink', progress);
  const sink = new Sink(cfg, writer, slog, new SinkMetrics(metrics), progress);
  return serve(sink, cfg.http, metrics, progress, slog);
}

/** `target.kind: archive`: the same process shape (health, metrics, signals), files instead of SQL. */
async function archive(file: string | undefined): Promise<number> {
  const cfg = loadArchiveSinkConfig(file);
  const slog = log.child({ sink: cfg.sinkName });
  // The location only (a path, or s3://bucket/prefix): never the S3 credentials.
  const archiveAt = cfg.target.path ?? `s3://${cfg.target.s3?.bucket}/${cfg.target.s3?.prefix ?? ''}`;
  slog.info({ archive: archiveAt, kind: 'archive', brokers: cfg.kafka.brokers }, 'starting sink');
  for (const w of insecureSettings(cfg)) slog.warn({ insecure: true }, w);
  const progress = new ProgressMonitor({ graceMs: cfg.http.readyGraceMs });
  const metrics = createMetricsRegistry('sink');
  registerProgressMetrics(metrics, 'sink', progress);
  const sink = new ArchiveSink(cfg, slog, new ArchiveMetrics(metrics), progress);
  return serve(sink, cfg.http, metrics, progress, slog);
}

/**
 * Runs a sink (SQL or archive) behind the health server: ready once consuming, and while no
 * component has been unreachable for the grace period; SIGTERM and SIGINT stop it cleanly.
 */
async function serve(
  sink: { readonly ready: boolean; run(): Promise<void>; stop(): Promise<void> },
  httpCfg: Omit<Parameters<typeof startHealthServer>[0], 'metrics' | 'ready'>,
  metrics: ReturnType<typeof createMetricsRegistry>,
  progress: ProgressMonitor,
  slog: Logger,
): Promise<number> {
  const http = await startHealthServer({
    ...httpCfg,
    metrics,
    ready: () => {
      const r = progress.readiness();
      if (sink.ready) return r;
      return { ok: false, reason: r.ok ? 'not consuming yet' : `not consuming yet: ${r.reason}` };
    },
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
