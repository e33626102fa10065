import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaptureConfig, loadCaptureConfig } from '@sluice/capture/src/config.ts';
import { SluiceError } from '@sluice/core';
import { loadSinkConfig, type SinkConfig } from '@sluice/sink/src/config.ts';
import { rememberConnections } from './connections.ts';

/**
 * Where connection settings come from, first match wins: the command's flags, the config files
 * the services run with (`--capture-config`, `--sink-config`, read with the services' own loaders,
 * so their SLUICE_* overrides apply too), SLUICE_* variables, and last the local stack's
 * `.stack/stack.env` (written by `make up`).
 */
export class Settings {
  readonly capture: CaptureConfig | undefined;
  readonly sink: SinkConfig | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly stack: Record<string, string>;

  constructor(files: { captureConfig?: string; sinkConfig?: string }, env: NodeJS.ProcessEnv = process.env) {
    this.env = env;
    this.capture = files.captureConfig ? loadCaptureConfig(files.captureConfig, env) : undefined;
    this.sink = files.sinkConfig ? loadSinkConfig(files.sinkConfig, env) : undefined;
    // Their TLS, SASL and passwords serve the connections to what they name (connections.ts).
    if (this.capture) rememberConnections(this.capture);
    if (this.sink) rememberConnections(this.sink);
    this.stack = readStackEnv(env);
  }

  sourceUrl(flag?: string): string {
    return need(
      flag ?? this.capture?.source.url ?? this.env.SLUICE_SOURCE_URL ?? this.stack.SOURCE_URL,
      'no source: pass --source mysql://user:password@host:port/, --capture-config <file> or set SLUICE_SOURCE_URL',
    );
  }

  /** The target URL; on the local stack a sink name maps to its target through TARGET_NAMES. */
  targetUrl(flag?: string, sinkName?: string): string {
    return need(
      flag ?? this.sink?.target.url ?? this.env.SLUICE_TARGET_URL ?? (sinkName ? this.stackTarget(sinkName) : undefined),
      'no target: pass --target mysql://user:password@host:port/, --sink-config <file> or set SLUICE_TARGET_URL',
    );
  }

  /** The local stack's target of a sink (`make up` names its sinks after their targets). */
  stackTarget(sinkName: string): string | undefined {
    const names = (this.stack.TARGET_NAMES ?? '').split(',');
    const urls = (this.stack.TARGET_URLS ?? '').split(',');
    const i = names.indexOf(sinkName);
    return i >= 0 ? urls[i] : undefined;
  }

  /** Sink names of the local stack, if it is the stack being looked at. */
  stackSinks(): string[] {
    return (this.stack.TARGET_NAMES ?? '').split(',').filter(Boolean);
  }

  brokers(flag?: string): string[] {
    const list = flag ?? this.sink?.kafka.brokers.join(',') ?? this.capture?.kafka.brokers.join(',');
    return need(
      list ?? this.env.SLUICE_KAFKA_BROKERS ?? this.stack.KAFKA_BROKERS,
      'no Kafka brokers: pass --brokers host:port, a config file, or set SLUICE_KAFKA_BROKERS',
    )
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  }

  /** Capture's Prometheus endpoint, for throughput and its failure state. */
  captureMetricsUrl(flag?: string): string | undefined {
    const port = this.capture?.http.port;
    return (
      flag ??
      (port ? `http://${this.capture?.http.host}:${port}/metrics` : undefined) ??
      this.env.SLUICE_CAPTURE_METRICS_URL ??
      this.stack.CAPTURE_METRICS_URL
    );
  }

  registryUrl(flag?: string): string | undefined {
    return (
      flag ??
      this.sink?.schemaRegistry.url ??
      this.capture?.schemaRegistry.url ??
      this.env.SLUICE_SCHEMA_REGISTRY_URL ??
      this.stack.SCHEMA_REGISTRY_URL
    );
  }

  topicPrefix(flag?: string): string {
    return (
      flag ??
      this.sink?.topicPrefix ??
      this.capture?.topicPrefix ??
      this.env.SLUICE_TOPIC_PREFIX ??
      this.stack.TOPIC_PREFIX ??
      'sluice'
    );
  }
}

const need = (v: string | undefined, message: string): string => {
  if (!v) throw new SluiceError('CONFIG_INVALID', message);
  return v;
};

/** `.stack/stack.env` of the working directory, or of the checkout this CLI runs from. */
function readStackEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.SLUICE_NO_STACK_ENV) return {};
  const candidates = [join(process.cwd(), '.stack/stack.env'), new URL('../../../../.stack/stack.env', import.meta.url).pathname];
  const file = candidates.find((f) => existsSync(f));
  if (!file) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}
