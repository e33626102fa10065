import type { KafkaAdmin } from '@sluice/core';
import { loadSinkConfig } from '@sluice/sink/src/config.ts';
import { intFlag, listFlag, parseFlags } from '../shared/args.ts';
import { cliKafka, connectAdmin } from '../shared/kafka.ts';
import { Settings } from '../shared/settings.ts';
import { collectStatus, hasError, type StatusInputs } from './collect.ts';
import { renderStatus } from './render.ts';

export const STATUS_HELP = `sluice status: where capture and every sink group stand

usage: sluice status [--json] [--watch [--interval <s>]] [options]

capture: the source's binlog position now, each capture's last checkpoint on
<prefix>._checkpoints, the lag in bytes (when both are in the same binlog file) and in seconds
(now minus the source time of the last change or heartbeat captured).

sink groups: every consumer group with committed offsets on the prefix's topics (or --sink),
its members, per topic-partition the committed offset against the end offset, and the target's
freshness (now minus the newest source time in the sink's checkpoint rows in the target; needs
the target: --sink-config, or the local stack's .stack/stack.env).

rules (exit code 1 when any part is in error, 2 when status itself cannot run):
  capture  error  no checkpoint, or its source time older than --max-lag (a running capture
                  writes a heartbeat every 10 s while idle, so this means stopped or stuck)
  sink     error  "stopped": no members while a partition has records left
           error  "behind": records left and the target older than --max-lag
           ok     "running", or "stopped" with nothing left to apply
A partition with one offset left is caught up: it is the marker closing the last transaction.

options:
  --capture-config <file>  the capture's config (source, brokers, registry, prefix, capture id)
  --sink-config <file>     a sink's config (its group, target and checkpoint schema); repeat it for
                           each sink whose target freshness, stop reason and verify result to read
  --sink <name>            look at these groups only (comma-separated or repeated)
  --source <url>           source, for its binlog position
  --capture-metrics <url>  capture's /metrics, for events/s and a failed state with its error code
                           (SLUICE_CAPTURE_METRICS_URL; the capture config's http port; stack.env)
  --brokers <list>         Kafka brokers host:port,... (SLUICE_KAFKA_BROKERS)
  --topic-prefix <p>       (SLUICE_TOPIC_PREFIX, default sluice)
  --all-prefixes           every prefix on the cluster (each with a <prefix>._checkpoints topic), one
                           report each; --json prints {"prefixes": [report, ...]}
  --max-lag <s>            seconds of lag that count as an error (default 60)
  --json                   one JSON document on stdout
  --watch                  refresh until interrupted, every --interval seconds (default 2)
  -h, --help               this text`;

/** The flags that say where to look and what counts as lag: `sluice ui` takes them too. */
export const STATUS_INPUT_OPTIONS = {
  'capture-config': { type: 'string' },
  'sink-config': { type: 'string', multiple: true },
  sink: { type: 'string', multiple: true },
  source: { type: 'string' },
  'capture-metrics': { type: 'string' },
  brokers: { type: 'string' },
  'topic-prefix': { type: 'string' },
  'max-lag': { type: 'string' },
} as const;

const OPTIONS = {
  ...STATUS_INPUT_OPTIONS,
  'all-prefixes': { type: 'boolean' },
  json: { type: 'boolean' },
  watch: { type: 'boolean' },
  interval: { type: 'string' },
} as const;

export interface StatusInputFlags {
  'capture-config'?: string;
  'sink-config'?: string[];
  sink?: string[];
  source?: string;
  'capture-metrics'?: string;
  brokers?: string;
  'topic-prefix'?: string;
  'max-lag'?: string;
  'all-prefixes'?: boolean;
}

/** The prefixes with a capture checkpoint topic on the cluster. */
async function allPrefixes(admin: KafkaAdmin): Promise<string[]> {
  const suffix = '._checkpoints';
  return (await admin.listTopics())
    .filter((t) => t.endsWith(suffix))
    .map((t) => t.slice(0, -suffix.length))
    .sort();
}

/**
 * What collectStatus reads, from the flags, with a connected Kafka admin (the caller disconnects
 * `admin`): settings, sink configs and targets resolved the same way for `status` and `ui`.
 */
export async function openStatusInputs(command: string, f: StatusInputFlags): Promise<StatusInputs> {
  const [firstSink, ...moreSinks] = f['sink-config'] ?? [];
  const settings = new Settings({ captureConfig: f['capture-config'], sinkConfig: firstSink });
  const sinkConfigs = [...(settings.sink ? [settings.sink] : []), ...moreSinks.map((file) => loadSinkConfig(file, process.env))];
  const brokers = settings.brokers(f.brokers);
  const kafka = cliKafka(brokers);
  const admin = await connectAdmin(kafka, brokers);
  // Every prefix: each one's groups are found on its topics (configs give targets, not a filter).
  const sinks = f['all-prefixes'] ? listFlag(f.sink) : [...listFlag(f.sink), ...sinkConfigs.map((c) => c.sinkName)];
  let sourceUrl: string | undefined;
  try {
    sourceUrl = settings.sourceUrl(f.source);
  } catch {
    sourceUrl = undefined;
  }
  return {
    kafka,
    admin,
    registryUrl: settings.registryUrl(),
    prefix: settings.topicPrefix(f['topic-prefix']),
    sourceUrl,
    captureId: settings.capture?.captureId,
    captureMetricsUrl: settings.captureMetricsUrl(f['capture-metrics']),
    sinks: [...new Set(sinks)],
    target: (name) => {
      const cfg = sinkConfigs.find((c) => c.sinkName === name);
      if (cfg) return { url: cfg.target.url, checkpointSchema: cfg.checkpointSchema };
      const url = settings.stackTarget(name);
      return url ? { url, checkpointSchema: '_sluice' } : undefined;
    },
    maxLagSeconds: intFlag(command, 'max-lag', f['max-lag'], 60, 0),
  };
}

export async function statusCommand(argv: string[]): Promise<number> {
  const f = parseFlags('status', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${STATUS_HELP}\n`);
    return 0;
  }
  const inputs = await openStatusInputs('status', f);
  const admin = inputs.admin;
  const interval = intFlag('status', 'interval', f.interval, 2, 1) * 1000;
  let stop = false;
  const onSigint = () => {
    stop = true;
  };
  process.once('SIGINT', onSigint);
  try {
    for (;;) {
      const prefixes = f['all-prefixes'] ? await allPrefixes(admin) : [inputs.prefix];
      const reports = [];
      for (const prefix of prefixes) reports.push(await collectStatus({ ...inputs, prefix }));
      const text = f.json
        ? JSON.stringify(f['all-prefixes'] ? { prefixes: reports } : reports[0], null, 2)
        : reports.map((r) => `${f['all-prefixes'] ? `== prefix ${r.prefix}\n` : ''}${renderStatus(r)}`).join('\n\n');
      const failed = reports.some(hasError);
      if (f.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      process.stdout.write(`${f.watch ? `${new Date().toISOString()}\n` : ''}${text}\n`);
      if (!f.watch || stop) return failed ? 1 : 0;
      const until = Date.now() + interval;
      while (!stop && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (stop) return failed ? 1 : 0;
    }
  } finally {
    process.off('SIGINT', onSigint);
    await admin.disconnect().catch(() => undefined);
  }
}
