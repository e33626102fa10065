#!/usr/bin/env node
import {
  configFileFromArgs,
  createLogger,
  createMetricsRegistry,
  exitOnFailure,
  insecureSettings,
  ProgressMonitor,
  redactUrl,
  registerProgressMetrics,
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
  for (const w of insecureSettings(cfg)) log.warn({ insecure: true }, w);
  const metrics = createMetricsRegistry('capture');
  // What readiness and the disconnected metrics read: outcomes of the capture's own operations.
  const progress = new ProgressMonitor({ graceMs: cfg.http.readyGraceMs });
  registerProgressMetrics(metrics, 'capture', progress);
  const capture = new CaptureSupervisor(cfg, log, new CaptureMetrics(metrics), progress);
  const http = await startHealthServer({ ...cfg.http, metrics, ready: () => capture.readiness() });
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

main().then((code) => process.exit(code), exitOnFailure('capture', log));
