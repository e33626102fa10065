#!/usr/bin/env node
import {
  classifyKafkaError,
  configFileFromArgs,
  createLogger,
  createMetricsRegistry,
  ERROR_CODES,
  exitCodeOf,
  redactUrl,
  SluiceError,
  startHealthServer,
} from '@sluice/core';
import { TargetWriter } from './apply/target-writer.ts';
import { loadSinkConfig } from './config.ts';
import { SinkMetrics } from './observe/sink-metrics.ts';
import { Sink } from './sink.ts';

const log = createLogger('sink');

async function main(): Promise<number> {
  const cfg = loadSinkConfig(configFileFromArgs(process.argv.slice(2)));
  const slog = log.child({ sink: cfg.sinkName });
  slog.info({ target: redactUrl(cfg.target.url), kind: cfg.target.kind, brokers: cfg.kafka.brokers }, 'starting sink');
  const writer = new TargetWriter({
    url: cfg.target.url,
    poolSize: cfg.target.poolSize,
    log: slog,
    checkpointSchema: cfg.checkpointSchema,
    staleWriteGuard: cfg.staleWriteGuard,
    ddl: cfg.ddl,
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

main().then(
  (code) => process.exit(code),
  (failure) => {
    // kafkajs' own errors (a crashed consumer, a refused dead letter) get their code here.
    const err = (failure as Error)?.name?.startsWith('KafkaJS') ? classifyKafkaError(failure, 'kafka') : failure;
    if (err instanceof SluiceError) log.fatal({ code: err.code, fix: ERROR_CODES[err.code].fix }, err.message);
    else log.fatal({ err }, 'sink failed');
    // A config error is for whoever starts the service: on stderr as plain text too, with the fix.
    if (err instanceof SluiceError && exitCodeOf(err) === 2)
      process.stderr.write(`sink: ${err.code}: ${err.message}\n  fix: ${ERROR_CODES[err.code].fix}\n`);
    process.exit(exitCodeOf(err));
  },
);
