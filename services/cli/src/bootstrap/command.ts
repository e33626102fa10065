import { dlqTopic, SluiceError } from '@sluice/core';
import { count, renderTable } from '../output/table.ts';
import { listFlag, parseFlags } from '../shared/args.ts';
import { confirm } from '../shared/confirm.ts';
import { commitGroupOffsets } from '../shared/group-offsets.ts';
import { cliKafka, connectAdmin } from '../shared/kafka.ts';
import { RegistryApi } from '../shared/registry-api.ts';
import { Settings } from '../shared/settings.ts';
import { TopicTables } from '../shared/topic-tables.ts';
import { prefixHint } from '../topics/topic-kinds.ts';
import { readBootstrapPartitions, readGroupState } from './partitions.ts';
import { type BootstrapRow, bootstrapRefusals, bootstrapWarnings, nextStep, planBootstrap } from './plan.ts';

export const BOOTSTRAP_HELP = `sluice bootstrap: prepare a new sink group to build a new target from Kafka

usage: sluice bootstrap --sink <name> [--tables <patterns>] [--dry-run] [--yes] [options]

Table topics are compacted by default (capture's topics.cleanupPolicy), so Kafka keeps the last
image of every row: a new sink reading them from their first offsets builds a full copy of the
tables, then follows capture. bootstrap prepares that sink's consumer group:
  1. refuses a group that already has committed offsets or active members: it is not new (to
     re-apply history to an existing sink: sluice replay --sink <name> --earliest)
  2. checks every table topic's cleanup.policy and warns about each that deletes old records:
     Kafka alone may then not hold a full copy of that table
  3. shows the plan: per partition of every table topic and of <prefix>._heartbeats, the offset
     the group starts at and the records to apply (an upper bound: transaction markers and
     compaction gaps take offsets too)
  4. commits those offsets for the group, after confirmation (--yes), and prints the command that
     starts the sink: a sink with this name, the new target, and routes if the target's databases
     or tables are named differently

  --sink <name>            the new sink's name (its consumer group), or --sink-config <file>
  --tables <patterns>      bootstrap only these db.table topics (comma-separated or repeated); the
                           other table topics start at their end: the sink still reads them, so
                           their target tables get only rows changed from now on
  --dry-run                show the plan, warnings and what would be refused; change nothing
  --yes                    do not ask (needed when there is no terminal to ask on)
  --json                   the plan as JSON on stdout
  --prefix <p>             topic prefix (also --topic-prefix; default: config, SLUICE_TOPIC_PREFIX, sluice)
  --registry <url>         schema registry, to match --tables against mapped topic names
                           (SLUICE_SCHEMA_REGISTRY_URL; default: config)
  --brokers <list>, --capture-config <file>: where Kafka and the topics are
Exit codes: 0 prepared (or dry run), 2 refused (BOOTSTRAP_REFUSED) or failed.`;

const OPTIONS = {
  sink: { type: 'string' },
  'sink-config': { type: 'string' },
  'capture-config': { type: 'string' },
  tables: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  prefix: { type: 'string' },
  'topic-prefix': { type: 'string' },
  brokers: { type: 'string' },
  registry: { type: 'string' },
} as const;

export async function bootstrapCommand(argv: string[]): Promise<number> {
  const f = parseFlags('bootstrap', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${BOOTSTRAP_HELP}\n`);
    return 0;
  }
  const settings = new Settings({ captureConfig: f['capture-config'], sinkConfig: f['sink-config'] });
  const group = f.sink ?? settings.sink?.sinkName;
  if (!group)
    throw new SluiceError('CONFIG_INVALID', 'sluice bootstrap: name the new sink with --sink <name> or --sink-config <file>');
  if (!/^[A-Za-z0-9_.-]+$/.test(group)) {
    throw new SluiceError('CONFIG_INVALID', `sluice bootstrap: --sink ${JSON.stringify(group)}: letters, digits, _ . and - only`);
  }
  const prefix = settings.topicPrefix(f.prefix ?? f['topic-prefix']);
  const brokers = settings.brokers(f.brokers);
  const kafka = cliKafka(brokers);
  const admin = await connectAdmin(kafka, brokers);
  try {
    const all = await admin.listTopics();
    const patterns = listFlag(f.tables);
    const registryUrl = settings.registryUrl(f.registry);
    const names = new TopicTables(prefix, registryUrl ? new RegistryApi(registryUrl) : undefined);
    const { parts, configs } = await readBootstrapPartitions(admin, prefix, patterns, all, names);
    const tables = parts.filter((p) => p.kind === 'table');
    if (!tables.length) {
      throw new SluiceError(
        'BOOTSTRAP_REFUSED',
        `no table topics of prefix ${prefix}: nothing to bootstrap from${prefixHint(all, prefix)}`,
      );
    }
    if (!tables.some((p) => p.selected)) {
      throw new SluiceError('BOOTSTRAP_REFUSED', `no table topic of prefix ${prefix} matches --tables ${patterns.join(',')}`);
    }
    const rows = planBootstrap(parts);
    const refusals = bootstrapRefusals(group, await readGroupState(admin, group));
    const dlq = all.includes(dlqTopic(prefix, group)) ? dlqTopic(prefix, group) : undefined;
    const warnings = bootstrapWarnings(parts, configs, dlq);
    const next = nextStep({ group, prefix, sinkConfig: f['sink-config'], configSinkName: settings.sink?.sinkName });
    if (f.json) {
      process.stdout.write(`${JSON.stringify({ sink: group, prefix, plan: rows, warnings, refusals, next }, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderPlan(group, prefix, rows)}\n`);
      for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
    }
    if (f['dry-run']) {
      if (!f.json) for (const r of refusals) process.stdout.write(`would refuse: ${r}\n`);
      return 0;
    }
    if (refusals.length) throw new SluiceError('BOOTSTRAP_REFUSED', refusals.join('\n  '));
    if (!f.yes) {
      await confirm(
        `set the offsets of the new sink group ${group} on ${rows.length} partitions?`,
        'BOOTSTRAP_REFUSED',
        'set the offsets',
      );
    }
    await commitGroupOffsets(
      kafka,
      admin,
      group,
      rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.to })),
    );
    const apply = rows.reduce((n, r) => n + r.apply, 0);
    const out = f.json ? process.stderr : process.stdout;
    out.write(
      `sink group ${group} prepared on ${rows.length} partitions: ${count(apply)} records (est.) to apply\n` +
        `next: start the sink with this name on the new target:\n  ${next}\n`,
    );
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function renderPlan(group: string, prefix: string, rows: BootstrapRow[]): string {
  const body = renderTable(
    ['topic', 'partition', 'start', 'offset', 'records to apply'],
    rows.map((r) => [r.topic, String(r.partition), r.start, count(r.to), count(r.apply)]),
  );
  const tables = rows.filter((r) => r.kind === 'table');
  const topics = new Set(tables.filter((r) => r.start === 'earliest').map((r) => r.topic)).size;
  const apply = tables.reduce((n, r) => n + r.apply, 0);
  return `bootstrap plan for the new sink ${group} (prefix ${prefix})\n${body}\ntotal: ${topics} table topics from their first offset, ${count(apply)} records (est.) to apply`;
}
