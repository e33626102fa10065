import { listBases, redactUrl, SluiceError } from '@sluice/core';
import { type Route, Router } from '@sluice/sink/src/route/router.ts';
import { Progress } from '../output/progress.ts';
import { count, renderTable } from '../output/table.ts';
import { ARCHIVE_STORAGE_HELP, ARCHIVE_STORAGE_OPTIONS, archiveStorageFromFlags } from '../shared/archive-storage-flags.ts';
import { listFlag, parseFlags } from '../shared/args.ts';
import { Session } from '../shared/session.ts';
import { readArchiveIndex } from './archive-index.ts';
import { describeCut, parseToPosition, parseToTime, type RestoreCut } from './cut.ts';
import { planRestore, type RestorePlan } from './plan.ts';
import { Restorer } from './restorer.ts';
import { dropTables, nonEmptyTables } from './target-check.ts';

export const RESTORE_HELP = `sluice restore: point-in-time restore from a base backup and the archive (docs/backup.md)

usage: sluice restore (--path <dir> | --url s3://…) (--to-time <T> | --to-position <P>) --target <url>
                      [--tables <patterns>] [--rename <from>=<to>] [--overwrite] [--dry-run]

Picks the newest complete base (sluice backup) whose changes all precede the point, loads it,
then replays the archived changes after the base's end offsets up to the point, in source order
per partition, into the target (a new database or server): tables are created from the schemas
the files carry, and ALTER TABLEs in between are applied where they happened. A selected table
the base does not hold (created after it) is restored from its archive alone when that starts at
offset 0 of every partition; otherwise it is refused (RESTORE_GAP), or left out with a note when
--tables is given and names it by no exact pattern. The SQL sink's own
decoder, planner and target writer do the work (MariaDB, MySQL, TiDB).

${ARCHIVE_STORAGE_HELP}
  --to-time <T>            every change at or before T (ISO 8601 with a zone, or ms since the
                           epoch). Binlog source times are whole seconds: one-second resolution
  --to-position <P>        every change up to and including the transaction at P: a MariaDB GTID
                           (0-1-500, or one per domain: 0-1-500,1-2-7), a MySQL GTID (uuid:500) or
                           binlog file:pos. Exact
  --target <url>           mysql://user:pass@host:port/ of the server to restore into
  --tables <patterns>      only these tables: <db>.<table> with * and ?, comma-separated or repeated
  --rename <from>=<to>     restore under another name: db.t=db2.t2 for a table, db=db2 for a whole
                           database (repeatable; a table's rename wins over its database's)
  --overwrite              drop target tables that exist and hold rows first (refused otherwise)
  --dry-run                print the plan (base, files, rows) and what would be refused; change nothing
  --json                   the plan (and the result) as JSON on stdout
Exit codes: 0 restored (or dry run), 2 refused (RESTORE_REFUSED, RESTORE_NO_BASE, RESTORE_GAP) or failed.`;

const OPTIONS = {
  ...ARCHIVE_STORAGE_OPTIONS,
  'to-time': { type: 'string' },
  'to-position': { type: 'string' },
  target: { type: 'string' },
  tables: { type: 'string', multiple: true },
  rename: { type: 'string', multiple: true },
  overwrite: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** --rename values as sink routes: table renames first (the first matching route wins). */
export function renameRoutes(values: string[]): Route[] {
  const tables: Route[] = [];
  const dbs: Route[] = [];
  for (const v of values) {
    const [from, to, ...rest] = v.split('=');
    if (!from || !to || rest.length) {
      throw new SluiceError('CONFIG_INVALID', `sluice restore: --rename ${JSON.stringify(v)}: expected db.t=db2.t2 or db=db2`);
    }
    const isTable = from.includes('.');
    if (isTable !== to.includes('.')) {
      throw new SluiceError(
        'CONFIG_INVALID',
        `sluice restore: --rename ${JSON.stringify(v)}: rename a table to a table or a database to a database`,
      );
    }
    if (isTable) tables.push({ from, to });
    else dbs.push({ from: `${from}.*`, to: `${to}.*` });
  }
  return [...tables, ...dbs];
}

export async function restoreCommand(argv: string[]): Promise<number> {
  const f = parseFlags('restore', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${RESTORE_HELP}\n`);
    return 0;
  }
  if (!f['to-time'] === !f['to-position']) {
    throw new SluiceError('CONFIG_INVALID', 'sluice restore: give one of --to-time <T> or --to-position <P>');
  }
  const cut: RestoreCut = f['to-time'] ? parseToTime(f['to-time']) : parseToPosition(f['to-position'] as string);
  if (!f.target && !f['dry-run']) throw new SluiceError('CONFIG_INVALID', 'sluice restore: --target <url> is required');
  const router = new Router(renameRoutes(listFlag(f.rename)));
  const storage = archiveStorageFromFlags('restore', f);
  const plan = planRestore({
    bases: await listBases(storage),
    archive: await readArchiveIndex(storage),
    cut,
    tables: listFlag(f.tables),
  });
  const names = plan.tables.map((t) => router.name(t.db, t.table));
  const out = f.json ? process.stderr : process.stdout;
  if (f.json) process.stdout.write(`${JSON.stringify(planJson(plan, names), null, 2)}\n`);
  else out.write(`${renderPlan(plan, names)}\n`);

  const session = f.target ? await Session.open(f.target, 'target') : undefined;
  try {
    const full = session ? await nonEmptyTables(session, names) : [];
    if (f['dry-run']) {
      if (full.length && !f.overwrite) out.write(`would refuse: target tables hold rows: ${full.join(', ')} (--overwrite)\n`);
      else if (full.length) out.write(`would drop first (--overwrite): ${full.join(', ')}\n`);
      return 0;
    }
    if (full.length && !f.overwrite) {
      throw new SluiceError(
        'RESTORE_REFUSED',
        `target tables exist and hold rows: ${full.join(', ')}; restore into a new database (--rename) or pass --overwrite`,
      );
    }
    if (full.length && session) await dropTables(session, names);
    const total = plan.baseRows + plan.archiveRows;
    const progress = new Progress();
    const plain = process.stderr.isTTY !== true;
    let told = Date.now();
    const restorer = new Restorer({
      storage,
      targetUrl: f.target as string,
      router,
      onProgress: ({ rows, files }) => {
        const pct = total ? Math.min(1, rows / total) : 1;
        const bar = `${'#'.repeat(Math.round(pct * 30))}${'.'.repeat(30 - Math.round(pct * 30))}`;
        progress.update(`restore [${bar}] ${Math.round(pct * 100)}% ${count(rows)}/${count(total)} changes, ${files} files`);
        if (plain && Date.now() - told >= 2_000) {
          told = Date.now();
          process.stderr.write(`restore: ${count(rows)} of at most ${count(total)} changes applied, ${files} files read\n`);
        }
      },
    });
    const r = await restorer.run(plan);
    progress.done();
    const secs = r.ms / 1000;
    const rows = r.baseRows + r.archiveRows;
    const summary = {
      base: plan.base.id,
      to: describeCut(cut),
      target: redactUrl(f.target as string),
      tables: names.map((n) => `${n.database}.${n.table}`),
      baseRows: r.baseRows,
      archiveRows: r.archiveRows,
      files: r.files,
      bytes: r.bytes,
      seconds: Number(secs.toFixed(2)),
      rowsPerSecond: Math.round(rows / Math.max(secs, 0.001)),
    };
    if (f.json) process.stderr.write(`${JSON.stringify(summary)}\n`);
    out.write(
      `restored ${names.length} table${names.length === 1 ? '' : 's'} to ${summary.to} from base ${plan.base.id}: ` +
        `${count(r.baseRows)} base rows + ${count(r.archiveRows)} archived changes, ${r.files} files, ` +
        `${count(r.bytes)} bytes in ${secs.toFixed(1)} s (${count(summary.rowsPerSecond)} rows/s)\n`,
    );
    return 0;
  } finally {
    await session?.close();
  }
}

function planJson(plan: RestorePlan, names: { database: string; table: string }[]) {
  return {
    base: { id: plan.base.id, createdAt: new Date(plan.base.createdAtMs).toISOString() },
    to: describeCut(plan.cut),
    tables: plan.tables.map((t, i) => ({
      source: `${t.db}.${t.table}`,
      target: `${names[i]?.database}.${names[i]?.table}`,
      baseRows: t.base.rows,
      baseFiles: t.base.files,
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        fromOffset: p.fromOffset,
        files: p.files.map((x) => x.key),
      })),
      archiveRows: t.archiveRows,
      afterBase: t.afterBase,
    })),
    leftOut: plan.leftOut,
    baseRows: plan.baseRows,
    archiveRows: plan.archiveRows,
    files: plan.baseFiles + plan.archiveFiles,
    bytes: plan.bytes,
  };
}

function renderPlan(plan: RestorePlan, names: { database: string; table: string }[]): string {
  const body = renderTable(
    ['table', 'into', 'base rows', 'base files', 'archive files', 'archive rows (at most)', 'from offsets'],
    plan.tables.map((t, i) => [
      `${t.db}.${t.table}`,
      `${names[i]?.database}.${names[i]?.table}`,
      t.afterBase ? '0 (not in base)' : count(t.base.rows),
      String(t.base.files.length),
      String(t.partitions.reduce((n, p) => n + p.files.length, 0)),
      count(t.archiveRows),
      t.partitions.map((p) => `${p.partition}@${p.fromOffset}`).join(' '),
    ]),
  );
  const notes = [
    ...plan.tables
      .filter((t) => t.afterBase)
      .map((t) => `${t.db}.${t.table}: not in the base; restored from its archive, which starts at offset 0 of every partition`),
    ...plan.leftOut.map((l) => `left out: ${l.reason}`),
  ];
  return (
    `restore plan: to ${describeCut(plan.cut)}, base ${plan.base.id} (taken ${new Date(plan.base.createdAtMs).toISOString()})\n` +
    `${body}\ntotal: ${count(plan.baseRows)} base rows and at most ${count(plan.archiveRows)} archived changes, ` +
    `${plan.baseFiles + plan.archiveFiles} files, ${count(plan.bytes)} bytes${notes.map((n) => `\n${n}`).join('')}`
  );
}
