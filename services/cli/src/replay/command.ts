import { SluiceError } from '@sluice/core';
import { count, renderTable } from '../output/table.ts';
import { intFlag, listFlag, parseFlags } from '../shared/args.ts';
import { confirm } from '../shared/confirm.ts';
import { cliKafka, connectAdmin } from '../shared/kafka.ts';
import { RegistryApi } from '../shared/registry-api.ts';
import { Settings } from '../shared/settings.ts';
import { TopicTables } from '../shared/topic-tables.ts';
import { readPartitions } from './partitions.ts';
import { type PlanRow, parseOffsetSpec, planReplay, type ReplayTarget } from './plan.ts';

export const REPLAY_HELP = `sluice replay: move a sink group's offsets to re-apply history

usage: sluice replay --sink <name> (--to-time <ISO> | --to-offset <topic:partition:offset> |
                     --earliest | --latest | --shift-by <n>) [--tables <patterns>] [--dry-run] [--yes]

Shows the plan per partition (from offset, to offset, offsets to re-apply or skip), then resets
the group's committed offsets. The sink applies changes idempotently, so replaying converges the
target: use it to rebuild or repair a target from Kafka.

  --sink <name>            the sink (its consumer group), or --sink-config <file>
  --to-time <ISO>          the first offset at or after this time, e.g. 2024-05-01T12:00:00Z
  --to-offset <t:p:o>      one partition to one offset
  --earliest | --latest    the first / the end offset of every partition (--latest skips the backlog)
  --shift-by <n>           move by n offsets (negative: back), within what the topic holds
  --tables <patterns>      only these db.table topics (comma-separated or repeated; default all)
  --registry <url>         schema registry, to match --tables against mapped topic names
                           (SLUICE_SCHEMA_REGISTRY_URL; default: config)
  --dry-run                show the plan, change nothing
  --yes                    do not ask (needed when there is no terminal to ask on)
  --json                   the plan as JSON on stdout
  --brokers <list>, --topic-prefix <p>, --capture-config <file>: where Kafka and the topics are

It refuses (exit 2, REPLAY_REFUSED) while the group has active members: a running sink would
overwrite the reset. Stop the sink first: on the local stack kill $(cat .stack/sink-<name>/pid)
(or make down, which stops everything); elsewhere stop its process or scale it to zero; start it
again afterwards (make up). It also refuses a time older than the topics retain, and an offset
outside a partition. Offsets count transaction markers, so "re-apply" is an upper bound.
Exit codes: 0 done (or dry run), 2 refused or failed.`;

const OPTIONS = {
  sink: { type: 'string' },
  'sink-config': { type: 'string' },
  'capture-config': { type: 'string' },
  'to-time': { type: 'string' },
  'to-offset': { type: 'string' },
  earliest: { type: 'boolean' },
  latest: { type: 'boolean' },
  'shift-by': { type: 'string' },
  tables: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  brokers: { type: 'string' },
  'topic-prefix': { type: 'string' },
  registry: { type: 'string' },
} as const;

type Flags = ReturnType<typeof parseFlags<typeof OPTIONS>>;

export async function replayCommand(argv: string[]): Promise<number> {
  const f = parseFlags('replay', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${REPLAY_HELP}\n`);
    return 0;
  }
  const target = replayTarget(f);
  const settings = new Settings({ captureConfig: f['capture-config'], sinkConfig: f['sink-config'] });
  const group = f.sink ?? settings.sink?.sinkName;
  if (!group) throw new SluiceError('CONFIG_INVALID', 'sluice replay: name the sink with --sink <name> or --sink-config <file>');
  const brokers = settings.brokers(f.brokers);
  const admin = await connectAdmin(cliKafka(brokers), brokers);
  try {
    const prefix = settings.topicPrefix(f['topic-prefix']);
    const registryUrl = settings.registryUrl(f.registry);
    const states = await readPartitions(admin, {
      group,
      prefix,
      patterns: listFlag(f.tables),
      tables: new TopicTables(prefix, registryUrl ? new RegistryApi(registryUrl) : undefined),
      ...(target.kind === 'time' ? { timeMs: target.ms } : {}),
    });
    if (!states.length) throw new SluiceError('REPLAY_REFUSED', `no table topics of prefix ${prefix} match: nothing to replay`);
    const { rows, refusals } = planReplay(states, target, Date.now());
    const [described] = (await admin.describeGroups([group])).groups;
    const members = described?.members ?? [];
    if (members.length) {
      refusals.unshift(
        `sink group ${group} has ${members.length} active member(s) (${members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ')}): ` +
          `stop the sink first (local stack: kill $(cat .stack/sink-${group}/pid), or make down; elsewhere stop its process), then run replay again`,
      );
    }
    if (f.json) process.stdout.write(`${JSON.stringify({ sink: group, target, plan: rows, refusals }, null, 2)}\n`);
    else process.stdout.write(`${renderPlan(group, rows)}\n`);
    if (f['dry-run']) {
      if (!f.json) for (const r of refusals) process.stdout.write(`would refuse: ${r}\n`);
      return 0;
    }
    if (refusals.length) throw new SluiceError('REPLAY_REFUSED', refusals.join('\n  '));
    const moves = rows.filter((r) => r.to !== r.from);
    if (!moves.length) {
      process.stdout.write('nothing to change: every partition is already there\n');
      return 0;
    }
    if (!f.yes) {
      await confirm(`reset the offsets of sink ${group} on ${moves.length} partitions?`, 'REPLAY_REFUSED', 'reset the offsets');
    }
    for (const topic of [...new Set(moves.map((m) => m.topic))]) {
      const partitions = moves.filter((m) => m.topic === topic).map((m) => ({ partition: m.partition, offset: String(m.to) }));
      await admin.setOffsets({ groupId: group, topic, partitions });
    }
    process.stdout.write(`offsets of sink ${group} reset on ${moves.length} partitions; start the sink to replay\n`);
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function replayTarget(f: Flags): ReplayTarget {
  const given = (['to-time', 'to-offset', 'earliest', 'latest', 'shift-by'] as const).filter(
    (k) => f[k] !== undefined && f[k] !== false,
  );
  if (given.length !== 1) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice replay: give exactly one of --to-time, --to-offset, --earliest, --latest, --shift-by${given.length ? ` (got ${given.map((g) => `--${g}`).join(', ')})` : ''}`,
    );
  }
  if (f.earliest) return { kind: 'earliest' };
  if (f.latest) return { kind: 'latest' };
  if (f['shift-by'] !== undefined)
    return { kind: 'shift', by: intFlag('replay', 'shift-by', f['shift-by'], 0, Number.MIN_SAFE_INTEGER) };
  if (f['to-offset'] !== undefined) {
    const o = parseOffsetSpec(f['to-offset']);
    if (!o)
      throw new SluiceError(
        'CONFIG_INVALID',
        `sluice replay: --to-offset takes topic:partition:offset, got ${JSON.stringify(f['to-offset'])}`,
      );
    return { kind: 'offset', ...o };
  }
  const ms = Date.parse(f['to-time'] as string);
  if (Number.isNaN(ms))
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice replay: --to-time takes an ISO time such as 2024-05-01T12:00:00Z, got ${JSON.stringify(f['to-time'])}`,
    );
  return { kind: 'time', ms };
}

function renderPlan(group: string, rows: PlanRow[]): string {
  const body = renderTable(
    ['topic', 'partition', 'from', 'to', 're-apply', 'skip'],
    rows.map((r) => [r.topic, String(r.partition), count(r.from), count(r.to), count(r.reapply), r.skip ? count(r.skip) : '-']),
  );
  const reapply = rows.reduce((n, r) => n + r.reapply, 0);
  const skip = rows.reduce((n, r) => n + r.skip, 0);
  return `replay plan for sink ${group}\n${body}\ntotal: ${count(reapply)} offsets to re-apply${skip ? `, ${count(skip)} SKIPPED (never applied)` : ''}`;
}
