import { SluiceError } from '@sluice/core';
import { count, renderTable } from '../output/table.ts';
import { parseFlags } from '../shared/args.ts';
import { cliKafka, connectAdmin } from '../shared/kafka.ts';
import { Settings } from '../shared/settings.ts';
import { collectTopics, type TopicsReport } from './collect.ts';
import { prefixHint, retentionText, sizeText } from './topic-kinds.ts';

export const TOPICS_HELP = `sluice topics: the Kafka topics of a topic prefix and what they hold

usage: sluice topics [--prefix <p>] [--json] [options]

Lists the table topics <prefix>.<db>.<table> and the internal ones (<prefix>._checkpoints,
_heartbeats, _schema_changes, <prefix>.dlq.<sink>), each with:
  partitions       how many
  cleanup.policy   compact keeps the last image of every key (a new target can be built from
                   Kafka alone: sluice bootstrap); delete drops records older than retention.ms
  retention        retention.ms (the topic's, else the broker's default; "forever" for -1);
                   it deletes records only where the policy includes delete
  records (est.)   end offset minus start offset, summed over partitions: an upper bound, since
                   transaction markers take an offset each and compaction leaves gaps
  size             bytes of log segments on the partitions' leaders (DescribeLogDirs): one copy,
                   followers hold as much again each; "unknown" (with a note) where a broker
                   cannot be asked or refuses (it needs Describe on the cluster)
Table topics that delete old records are listed as warnings: Kafka alone may not hold a full copy.

options:
  --prefix <p>             topic prefix (also --topic-prefix; default: config, SLUICE_TOPIC_PREFIX, sluice)
  --json                   one JSON document on stdout (sizes in bytes, null when unknown; per-partition
                           start and end offsets and sizes)
  --brokers <list>         Kafka brokers host:port,... (SLUICE_KAFKA_BROKERS)
  --capture-config <file>, --sink-config <file>: take brokers and prefix from a service's config
  -h, --help               this text
Exit codes: 0 listed, 2 no topic of the prefix exists (NOT_FOUND names the prefixes that do) or
Kafka cannot be reached.`;

const OPTIONS = {
  prefix: { type: 'string' },
  'topic-prefix': { type: 'string' },
  json: { type: 'boolean' },
  brokers: { type: 'string' },
  'capture-config': { type: 'string' },
  'sink-config': { type: 'string' },
} as const;

export async function topicsCommand(argv: string[]): Promise<number> {
  const f = parseFlags('topics', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${TOPICS_HELP}\n`);
    return 0;
  }
  const settings = new Settings({ captureConfig: f['capture-config'], sinkConfig: f['sink-config'] });
  const prefix = settings.topicPrefix(f.prefix ?? f['topic-prefix']);
  const brokers = settings.brokers(f.brokers);
  const admin = await connectAdmin(cliKafka(brokers), brokers);
  try {
    const all = await admin.listTopics();
    const report = await collectTopics(admin, prefix, all);
    if (!report.topics.length) {
      throw new SluiceError('NOT_FOUND', `no topics of prefix ${prefix} on ${brokers.join(',')}${prefixHint(all, prefix)}`);
    }
    process.stdout.write(`${f.json ? JSON.stringify(report, null, 2) : renderTopics(report)}\n`);
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function renderTopics(r: TopicsReport): string {
  const body = renderTable(
    ['topic', 'kind', 'partitions', 'cleanup.policy', 'retention', 'records (est.)', 'size'],
    r.topics.map((t) => [
      t.topic,
      t.kind,
      String(t.partitions),
      t.cleanupPolicy,
      retentionText(t.retentionMs),
      count(t.records),
      sizeText(t.size),
    ]),
  );
  const tables = r.topics.filter((t) => t.kind === 'table');
  const size = tables.every((t) => t.size !== null) ? sizeText(tables.reduce((n, t) => n + (t.size ?? 0), 0)) : 'size unknown';
  const total = `${tables.length} table topics, ${count(tables.reduce((n, t) => n + t.records, 0))} records (est.), ${size} in them`;
  return [
    `topics of prefix ${r.prefix}`,
    body,
    total,
    ...r.warnings.map((w) => `warning: ${w}`),
    ...r.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
