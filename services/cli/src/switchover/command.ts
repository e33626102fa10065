import { execSync } from 'node:child_process';
import { redactUrl, SluiceError, Tso } from '@sluice/core';
import { intFlag, listFlag, parseFlags } from '../shared/args.ts';
import { confirm } from '../shared/confirm.ts';
import { cliKafka } from '../shared/kafka.ts';
import { Session } from '../shared/session.ts';
import { Settings } from '../shared/settings.ts';
import { readSourcePosition } from '../shared/source-position.ts';
import { verifyCommand } from '../verify/command.ts';
import { fenceCapture } from './capture-start.ts';
import { type Pipeline, switchoverPlan } from './plan.ts';
import { refusesWrites } from './writes-stopped.ts';

export const SWITCHOVER_HELP = `sluice switchover: move the primary role from A to B (active/standby)

usage: sluice switchover --from-capture-config <A capture> --from-sink-config <A->B sink>
                         --to-capture-config <B capture> --to-sink-config <B->A sink>
                         [--tables <patterns>] [--writes-stopped] [--stop-command <cmd>]
                         [--start-command <cmd>] [--timeout-s <n>] [--dry-run] [--yes]

With A -> B running (A's capture, a sink into B), it:
  1. checks that A takes no writes: read_only=ON (MySQL, MariaDB), tidb_restricted_read_only or
     tidb_super_read_only (TiDB); or --writes-stopped, the operator's word that writers are stopped
  2. waits until B has applied everything and verifies the replicated tables (sluice verify)
  3. stops A -> B: runs --stop-command (or asks), then fences A's capture so it cannot publish
  4. reads B's position now and commits B's capture's checkpoint there, so B -> A starts at it:
     what the sink wrote into B is never captured back
  5. starts B -> A: runs --start-command, or tells which services to start
Each step is reported; a step that cannot be made safe refuses (exit 2, SWITCHOVER_REFUSED) and
changes nothing after it. --dry-run shows the plan and the checks' answers, changes nothing.
Switch back with the four configs swapped. Works for TiDB <-> TiDB and MySQL/MariaDB <-> TiDB.

  --tables <patterns>   the db.table patterns to verify (default: the A capture's tables.include)
  --timeout-s <n>       how long to wait for B to catch up (default 300)
Exit codes: 0 done (or dry run), 2 refused or failed.`;

const OPTIONS = {
  'from-capture-config': { type: 'string' },
  'from-sink-config': { type: 'string' },
  'to-capture-config': { type: 'string' },
  'to-sink-config': { type: 'string' },
  tables: { type: 'string', multiple: true },
  'writes-stopped': { type: 'boolean' },
  'stop-command': { type: 'string' },
  'start-command': { type: 'string' },
  'timeout-s': { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

const say = (step: number | string, text: string) => process.stdout.write(`[${step}] ${text}\n`);

export async function switchoverCommand(argv: string[]): Promise<number> {
  const f = parseFlags('switchover', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${SWITCHOVER_HELP}\n`);
    return 0;
  }
  const need = (k: keyof typeof f) => {
    const v = f[k];
    if (typeof v !== 'string') throw new SluiceError('CONFIG_INVALID', `sluice switchover: --${k} <file> is required`);
    return v;
  };
  const forward = new Settings({ captureConfig: need('from-capture-config'), sinkConfig: need('from-sink-config') });
  const reverse = new Settings({ captureConfig: need('to-capture-config'), sinkConfig: need('to-sink-config') });
  const fwd = pipeline(forward, 'A -> B');
  const rev = pipeline(reverse, 'B -> A');
  const timeoutS = intFlag('switchover', 'timeout-s', f['timeout-s'], 300);
  const tables = listFlag(f.tables).length ? listFlag(f.tables) : fwd.tables;
  const plan = switchoverPlan(fwd, rev);
  for (const line of plan.lines) process.stdout.write(`${line}\n`);
  if (plan.problems.length)
    throw new SluiceError('SWITCHOVER_REFUSED', `the configs do not describe A -> B and B -> A: ${plan.problems.join('; ')}`);

  const a = await Session.open(fwd.sourceUrl, 'source');
  const b = await Session.open(fwd.targetUrl, 'target');
  try {
    // 1. A takes no writes.
    const stopped = await refusesWrites(a);
    say(
      1,
      `A takes no writes: ${stopped ? 'yes (read-only)' : f['writes-stopped'] ? 'by the operator (--writes-stopped)' : 'NO'}`,
    );
    if (!stopped && !f['writes-stopped']) {
      throw new SluiceError(
        'SWITCHOVER_REFUSED',
        `A (${redactUrl(fwd.sourceUrl)}) still takes writes: make it read-only (${a.flavor === 'tidb' ? 'SET GLOBAL tidb_restricted_read_only = ON' : 'SET GLOBAL read_only = ON; the B -> A sink then needs SUPER or READ_ONLY ADMIN'}) or stop the writers and pass --writes-stopped`,
      );
    }
    if (f['dry-run']) {
      say('dry run', 'nothing changed');
      return 0;
    }
    // 2. B has applied everything, and holds what A holds.
    say(2, `waiting for ${fwd.sinkName} to apply everything A holds, then verifying ${tables.join(', ')} (up to ${timeoutS} s)`);
    const verified = await verifyCommand([
      '--source',
      fwd.sourceUrl,
      '--sink-config',
      need('from-sink-config'),
      '--tables',
      tables.join(','),
      '--lag-timeout',
      String(timeoutS),
    ]);
    if (verified !== 0) {
      throw new SluiceError(
        'SWITCHOVER_REFUSED',
        `B does not hold what A holds (sluice verify exit ${verified}): A -> B stays as it is`,
      );
    }
    say(2, 'B holds what A holds');
    // 3. Stop A -> B, and fence A's capture so that an instance left running cannot publish.
    await runOrAsk(f['stop-command'], `stop the capture ${fwd.captureId} and the sink ${fwd.sinkName}`, f.yes);
    const kafka = cliKafka(forward.brokers());
    await fenceCapture({
      kafka,
      captureId: fwd.captureId,
      topicPrefix: fwd.topicPrefix,
      registry: forward.capture?.schemaRegistry ?? '',
      serverId: forward.capture?.source.serverId ?? 0,
    });
    say(3, `A -> B stopped: capture ${fwd.captureId} fenced`);
    // 4. B's position now: B -> A starts there.
    const at = await readSourcePosition(b);
    const tso = Tso.fromPosition(at.position);
    const position = at.gtid ? at.position.withGtidSet(at.gtid) : at.position;
    await fenceCapture({
      kafka: cliKafka(reverse.brokers()),
      captureId: rev.captureId,
      topicPrefix: rev.topicPrefix,
      registry: reverse.capture?.schemaRegistry ?? '',
      serverId: reverse.capture?.source.serverId ?? 0,
      at: { position, changeSinceMs: tso ? tso.physicalMs - (reverse.capture?.source.query.overlapMs ?? 5000) : null },
    });
    say(4, `B -> A starts at B's position ${position.toString()}: checkpoint of ${rev.captureId} committed`);
    // 5. Start B -> A.
    if (f['start-command']) {
      execSync(f['start-command'], { stdio: 'inherit', shell: '/bin/sh' });
      say(5, `B -> A started (${f['start-command']})`);
    } else {
      say(
        5,
        `start the capture ${rev.captureId} and the sink ${rev.sinkName} now; B is the primary: let applications write to B`,
      );
    }
    return 0;
  } finally {
    await a.close();
    await b.close();
  }
}

/** One direction: its capture (source) and its sink (target), from their config files. */
function pipeline(s: Settings, what: string): Pipeline {
  if (!s.capture || !s.sink)
    throw new SluiceError('CONFIG_INVALID', `sluice switchover: ${what} needs a capture and a sink config`);
  return {
    what,
    captureId: s.capture.captureId,
    sourceUrl: s.capture.source.url,
    sourceKind: s.capture.source.kind,
    topicPrefix: s.capture.topicPrefix,
    tables: s.capture.tables.include,
    sinkName: s.sink.sinkName,
    targetUrl: s.sink.target.url,
  };
}

/** Runs an operator's command, or asks the operator to do it by hand. */
async function runOrAsk(command: string | undefined, what: string, yes: boolean | undefined): Promise<void> {
  if (command) {
    execSync(command, { stdio: 'inherit', shell: '/bin/sh' });
    return;
  }
  if (yes)
    throw new SluiceError(
      'SWITCHOVER_REFUSED',
      `--yes cannot ${what}: pass --stop-command, or run without --yes and do it when asked`,
    );
  await confirm(`${what}, then`, 'SWITCHOVER_REFUSED', what);
}
