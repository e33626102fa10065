import { type KafkaAdmin, SluiceError } from '@sluice/core';
import { Progress } from '../output/progress.ts';
import { intFlag, listFlag, parseFlags } from '../shared/args.ts';
import { cliKafka, connectAdmin } from '../shared/kafka.ts';
import { Session } from '../shared/session.ts';
import { Settings } from '../shared/settings.ts';
import { followVerify } from './follow.ts';
import { printable, type RepairTarget, repairStatements } from './repair.ts';
import { jsonReport, renderReport } from './report.ts';
import { runVerify, type VerifyOptions, type VerifyRun } from './run-verify.ts';
import type { SinkRef } from './sink-progress.ts';
import { kafkaEnds } from './sink-wait.ts';
import { parseDuration, parseTime, planSlices } from './time-slices.ts';

export const VERIFY_HELP = `sluice verify: compare source and target tables, range by range, then row by row

usage: sluice verify [--source <mysql-url>] [--target <mysql-url>] [options]

Each table is cut into key ranges of --chunk-rows rows (in key order on the source). Per range,
both sides compute a row count and the sum of CRC32 over a canonical text of each row, in SQL; the
text is the same on MariaDB, MySQL and TiDB for equal values. A range that differs is halved until
small, then compared row by row: rows missing in the target, extra in the target, or different
(with the columns that differ).

While the application writes and the pipeline runs, a range can differ only because the sink is
behind or a row changed since it was read. Given the sink (--sink-config, or --sink on the local
stack), verify reads the source position at the start and re-checks differing ranges until the
sink's checkpoints in the target show it passed that position, for at most --lag-timeout seconds.
Rows that still differ are then re-checked one by one: read on the source, the source position
read, the sink waited for until it has applied that position for the table, the row read on the
target and again on the source. A row is reported only if the target differs from a source row
that did not change meanwhile; a row the source changes at every re-check is listed in a note.
With Kafka at hand (--brokers or the config's), a table that saw no change for a while counts as
applied once the sink has read its partitions to the end; without, verify waits for a heartbeat.

connection (first match wins: flag, config file, SLUICE_* variable, .stack/stack.env):
  --source <url>           source, mysql://user:password@host:port/ (SLUICE_SOURCE_URL)
  --target <url>           target (SLUICE_TARGET_URL)
  --capture-config <file>  the capture's config: source URL, captured tables, excluded/masked columns
  --sink-config <file>     the sink's config: target URL, routes (source -> target tables), sink name
  --sink <name>            the sink feeding the target, if no --sink-config (local stack: mariadb, tidb)
  --topic-prefix <p>       topic prefix of the sink's checkpoints (default: config, SLUICE_TOPIC_PREFIX, sluice)
  --brokers <list>         Kafka brokers host:port,... (default: config, SLUICE_KAFKA_BROKERS, the local stack's)

what to compare:
  --tables <patterns>      db.table patterns with * and ?, comma-separated or repeated (default: all)
  --chunk-rows <n>         rows per range (default 5000)
  --max-diff-rows <n>      stop listing differing rows of a table after n (default 1000)
  --lag-timeout <s>        how long to wait for the sink before reporting (default 60)

time slices (rows changed in a window, as the DataX practice checks them):
  --time-column <name>     compare only rows whose column (DATETIME/TIMESTAMP, kept by the
                           application, such as updated_at) falls in [--since, --until), slice by
                           slice, and list the slices that differ; --fix repairs just their rows.
                           Tables without the column are skipped and listed
  --since <time>           ISO 8601 with a zone (2026-11-30T12:00:00Z); needs --time-column
  --until <time>           the same, or now (default)
  --slice <duration>       slice length: 30s, 15m, 1h (default), 1d

repair:
  --fix print              print the SQL that makes the target equal to the source (the DDL
                           of a drifted definition first, then the rows)
  --fix apply              apply it to the target (prepared statements, one transaction per table)

continuous validation:
  --follow                 verify again and again, --interval apart, until stopped (SIGINT/SIGTERM);
                           one line per pass on stdout (one JSON document per line with --json);
                           each pass's result per table goes to the target's
                           <checkpointSchema>.verify_results for sluice status, and to metrics
  --interval <duration>    between passes (default 60s)
  --metrics-port <n>       serve /metrics, /healthz, /readyz on 127.0.0.1:<n> while following:
                           sluice_verify_rows_different{table}, sluice_verify_tables_different,
                           sluice_verify_runs_total, sluice_verify_last_run_timestamp_seconds

output:
  --json                   one JSON document on stdout
  -h, --help               this text

exit codes: 0 equal, 1 different (also when --fix repaired the difference; run verify again to
confirm), 2 error. Tables without a key, or targets merged from several source tables, are
skipped and reported; they do not change the exit code.

Each table's definition is compared too, the way the sink makes a target a copy: columns (type,
nullability, default, charset, comment, AUTO_INCREMENT, ON UPDATE), the key, unique and secondary
indexes, table options and partitioning, normalised for the target (display widths, charset
spellings, index order, what the target kind cannot hold). A drifted definition makes the table
differ; --fix prints (or applies) the ALTER statements that repair it.

Columns that cannot be compared in SQL are listed as notes: native JSON between different server
flavours (MySQL and TiDB render the same document differently), spatial types.`;

const OPTIONS = {
  source: { type: 'string' },
  target: { type: 'string' },
  'capture-config': { type: 'string' },
  'sink-config': { type: 'string' },
  sink: { type: 'string' },
  'topic-prefix': { type: 'string' },
  brokers: { type: 'string' },
  tables: { type: 'string', multiple: true },
  'chunk-rows': { type: 'string' },
  'max-diff-rows': { type: 'string' },
  'lag-timeout': { type: 'string' },
  'time-column': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  slice: { type: 'string' },
  follow: { type: 'boolean' },
  interval: { type: 'string' },
  'metrics-port': { type: 'string' },
  fix: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function verifyCommand(argv: string[]): Promise<number> {
  const f = parseFlags('verify', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${VERIFY_HELP}\n`);
    return 0;
  }
  if (f.fix !== undefined && f.fix !== 'print' && f.fix !== 'apply') {
    throw new SluiceError('CONFIG_INVALID', `sluice verify: --fix takes print or apply, got ${JSON.stringify(f.fix)}`);
  }
  if (f.follow && f.fix !== undefined) {
    throw new SluiceError('CONFIG_INVALID', 'sluice verify: --follow only reports; run --fix in a verify of its own');
  }
  if (!f.follow && (f.interval !== undefined || f['metrics-port'] !== undefined)) {
    throw new SluiceError('CONFIG_INVALID', 'sluice verify: --interval and --metrics-port need --follow');
  }
  const timeSlices = timeSliceFlags(f['time-column'], f.since, f.until, f.slice);
  const settings = new Settings({ captureConfig: f['capture-config'], sinkConfig: f['sink-config'] });
  const sinkName = settings.sink?.sinkName ?? f.sink;
  const sink: SinkRef | undefined = sinkName
    ? {
        name: sinkName,
        checkpointSchema: settings.sink?.checkpointSchema ?? '_sluice',
        topicPrefix: settings.topicPrefix(f['topic-prefix']),
      }
    : undefined;
  const source = await Session.open(settings.sourceUrl(f.source), 'source');
  let target: Session | undefined;
  let admin: KafkaAdmin | undefined;
  const progress = new Progress();
  try {
    target = await Session.open(settings.targetUrl(f.target, sinkName), 'target');
    const kafka = sink ? await optionalAdmin(settings, f.brokers) : undefined;
    admin = kafka?.admin;
    const options: VerifyOptions = {
      patterns: listFlag(f.tables),
      capture: settings.capture,
      routes: settings.sink?.routes ?? [],
      chunkRows: intFlag('verify', 'chunk-rows', f['chunk-rows'], 5000, 2, 10_000_000),
      leafRows: 256,
      maxDiffRows: intFlag('verify', 'max-diff-rows', f['max-diff-rows'], 1000),
      sink,
      kafkaEnds: admin ? kafkaEnds(admin) : undefined,
      lagTimeoutMs: intFlag('verify', 'lag-timeout', f['lag-timeout'], 60, 0) * 1000,
      timeSlices,
      progress: f.follow ? () => undefined : (line) => progress.update(line),
    };
    if (f.follow) {
      progress.done();
      await follow(source, target, options, {
        intervalMs: parseDuration('interval', f.interval ?? '60s'),
        metricsPort:
          f['metrics-port'] === undefined ? undefined : intFlag('verify', 'metrics-port', f['metrics-port'], 0, 0, 65535),
        results: sink && { sink: sink.name, schema: sink.checkpointSchema },
        json: !!f.json,
      });
      return 0;
    }
    const run = await runVerify(source, target, options);
    if (kafka?.note) run.notes.push(kafka.note);
    progress.done();
    const fix = f.fix ? await repair(run, target, f.fix as 'print' | 'apply', (line) => progress.update(line)) : undefined;
    progress.done();
    if (f.json) {
      process.stdout.write(`${JSON.stringify(jsonReport(run, fix?.printed, fix?.applied), null, 2)}\n`);
    } else {
      if (fix?.printed.length && f.fix === 'print') process.stdout.write(`${fix.printed.join('\n')}\n\n`);
      process.stdout.write(`${renderReport(run, 50)}\n`);
      if (fix?.applied !== undefined) process.stdout.write(`repair: ${fix.applied} statements applied to the target\n`);
    }
    return run.tables.some((t) => t.status === 'different' || t.status === 'missing') ? 1 : 0;
  } finally {
    progress.done();
    await admin?.disconnect().catch(() => undefined);
    await source.close();
    await target?.close();
  }
}

/** Runs followVerify until SIGINT or SIGTERM, printing one line per pass. */
async function follow(
  source: Session,
  target: Session,
  options: VerifyOptions,
  f: { intervalMs: number; metricsPort?: number; results?: { sink: string; schema: string }; json: boolean },
): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await followVerify(source, target, options, {
      ...f,
      signal: stop.signal,
      listening: (port) => process.stderr.write(`verify --follow: metrics on http://127.0.0.1:${port}/metrics\n`),
      print: (run) => {
        const at = new Date().toISOString();
        if (run instanceof Error) {
          process.stdout.write(
            f.json ? `${JSON.stringify({ at, error: run.message })}\n` : `${at} verify failed: ${run.message}\n`,
          );
          return;
        }
        const differ = run.tables.filter((t) => t.status === 'different' || t.status === 'missing');
        if (f.json) process.stdout.write(`${JSON.stringify({ at, ...(jsonReport(run, undefined, undefined) as object) })}\n`);
        else {
          const list = differ.map(
            (t) => `${t.source.database}.${t.source.table} (${t.status === 'missing' ? 'missing' : `${t.diffs.length} rows`})`,
          );
          process.stdout.write(
            `${at} verify: ${run.tables.length} tables, ${differ.length} differ${list.length ? `: ${list.join(', ')}` : ''}\n`,
          );
        }
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** --time-column with --since [--until] [--slice] -> the slices; all or none of them. */
function timeSliceFlags(column?: string, since?: string, until?: string, slice?: string) {
  if (column === undefined) {
    if (since !== undefined || until !== undefined || slice !== undefined) {
      throw new SluiceError('CONFIG_INVALID', 'sluice verify: --since, --until and --slice need --time-column');
    }
    return undefined;
  }
  if (since === undefined) throw new SluiceError('CONFIG_INVALID', 'sluice verify: --time-column needs --since');
  const now = Date.now();
  const slices = planSlices(
    parseTime('since', since, now),
    parseTime('until', until ?? 'now', now),
    parseDuration('slice', slice ?? '1h'),
  );
  return { column, slices };
}

/** A Kafka admin for reading partition ends, if brokers are known and answer; a note if not. */
async function optionalAdmin(settings: Settings, flag?: string): Promise<{ admin?: KafkaAdmin; note?: string }> {
  let brokers: string[];
  try {
    brokers = settings.brokers(flag);
  } catch {
    return { note: 'no Kafka brokers known (--brokers): tables that saw no change wait for a capture heartbeat' };
  }
  try {
    return { admin: await connectAdmin(cliKafka(brokers), brokers) };
  } catch (err) {
    return { note: `${(err as Error).message}: tables that saw no change wait for a capture heartbeat` };
  }
}

/** Builds the repair of every differing table; prints it, or applies it table by table. */
async function repair(
  run: VerifyRun,
  target: Session,
  mode: 'print' | 'apply',
  progress: (line: string) => void,
): Promise<{ printed: string[]; applied?: number }> {
  const printed: string[] = [];
  let applied = 0;
  for (const t of run.tables) {
    const ddl = t.definition?.statements ?? [];
    if (ddl.length) {
      // The definition first: rows are then copied into the repaired table.
      printed.push(`-- ${t.source.database}.${t.source.table} -> ${t.target.database}.${t.target.table}: definition`);
      printed.push(...ddl.map((sql) => `${sql};`));
      if (mode === 'apply') {
        progress(`repairing the definition of ${t.target.database}.${t.target.table}`);
        for (const sql of ddl) await target.objects(sql);
        applied += ddl.length;
      }
    }
    if (!t.diffs.length || !t.verifier) continue;
    const rows = await t.verifier.sourceRows(t.diffs);
    const spec: RepairTarget = { ...t.target, key: t.key, columns: t.verifier.cmp.copy.map((c) => c.name) };
    const statements = repairStatements(spec, t.diffs, rows);
    printed.push(
      `-- ${t.source.database}.${t.source.table} -> ${t.target.database}.${t.target.table}: ${statements.length} statements`,
    );
    printed.push(...statements.map(printable));
    if (mode === 'apply') {
      progress(`repairing ${t.target.database}.${t.target.table}: ${statements.length} statements`);
      await target.transaction(async () => {
        for (const s of statements) await target.execute(s.sql, s.params);
      });
      applied += statements.length;
    }
  }
  return mode === 'apply' ? { printed, applied } : { printed };
}
