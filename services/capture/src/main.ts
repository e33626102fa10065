#!/usr/bin/env node
import {
  configFileFromArgs,
  createLogger,
  createMetricsRegistry,
  ERROR_CODES,
  exitCodeOf,
  redactUrl,
  SluiceError,
  startHealthServer,
} from '@sluice/core';
import { loadCaptureConfig } from './config.ts';
import { CaptureMetrics } from './observe/capture-metrics.ts';
import { CaptureSupervisor } from './supervisor.ts';

const log = createLogger('capture');

async function main(): Promise<number> {
  const cfg = loadCaptureConfig(configFileFromArgs(process.argv.slice(2)));
  log.info(
    { captureId: cfg.captureId, source: redactUrl(cfg.source.url), brokers: cfg.kafka.brokers, prefix: cfg.topicPrefix },
    'starting capture',
  );
  const metrics = createMetricsRegistry('capture');
  const capture = new CaptureSupervisor(cfg, log, new CaptureMetrics(metrics));
  const http = await startHealthServer({
    ...cfg.http,
    metrics,
    ready: () => (capture.ready ? { ok: true } : { ok: false, reason: 'not streaming yet' }),
  });
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await capture.stop();
    http.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await capture.run();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof SluiceError) log.fatal({ code: err.code, fix: ERROR_CODES[err.code].fix }, err.message);
    else log.fatal({ err }, 'capture failed');
    // A config error is for whoever starts the service: on stderr as plain text too, with the fix.
    if (err instanceof SluiceError && exitCodeOf(err) === 2)
      process.stderr.write(`capture: ${err.code}: ${err.message}\n  fix: ${ERROR_CODES[err.code].fix}\n`);
    process.exit(exitCodeOf(err));
  },
);
