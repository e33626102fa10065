import { statSync } from 'node:fs';
import { type ArchiveStorage, type PrunePlan, pruneArchive, SluiceError } from '@sluice/core';
import { count, renderTable } from '../output/table.ts';
import { ARCHIVE_STORAGE_HELP, ARCHIVE_STORAGE_OPTIONS, archiveStorageFromFlags } from '../shared/archive-storage-flags.ts';
import { listFlag, parseCommandLine } from '../shared/args.ts';
import { type ArchivedTable, summarizeArchive } from './archive-summary.ts';
import { type BaseSummary, summarizeBases } from './base-summary.ts';
import { checkWriter, describeWriter } from './writer-check.ts';

export const ARCHIVE_HELP = `sluice archive: what an archive sink keeps, and its retention (docs/backup.md)

usage: sluice archive ls (--path <root> | --url s3://bucket/prefix) [--tables <patterns>] [--files] [--keep-bases <k>] [--json]
       sluice archive prune (--path <root> | --url s3://bucket/prefix) --archive-days <n> [--keep-bases <k>] [--dry-run] [--force] [--json]

ls reads the manifests of the archive (<db>/<table>/manifest.jsonl, written by a sink with
target.kind: archive) and its base backups (base=<id>/base.json, written by sluice backup from
topics that keep every row: it refuses others) and shows per table:
  files, rows, size   the durable archive files, the changes in them, their bytes (compressed)
  from, to            the source times (UTC) of the first and last change kept
  schemas             the envelope schema versions (registry ids) the files were written with
  partitions, hours   the topic partitions and the hour windows that hold files
Files still being written (staged) are not part of the archive and are not counted. The writer
line names the archive sink whose lease (writer.lease.json) is there, and says when it is stale. Then per
base: its id, when it was taken, tables, rows, size and whether retention keeps it (the newest
--keep-bases; all without), and per table its end offsets (partition@offset: the archive from
there on follows the base) and the source time of its newest change.

prune applies retention by hand (the archive sink applies it to archive files itself when its
target.retention sets archiveDays): archive files whose newest change is older than
--archive-days and that no kept base backup needs (files reaching a kept base's end offsets),
never a partition's newest file; then base backups beyond the newest --keep-bases (all are kept
without it). Files leave the manifest before the storage. It refuses (ARCHIVE_IN_USE) while an
archive sink writes to this archive (its lease, writer.lease.json, had a heartbeat in the last
3 x 30 s) unless --force; --dry-run only shows what would go.

options:
${ARCHIVE_STORAGE_HELP}
  --tables <patterns>      ls: only these tables: <db>.<table> with * and ?, comma-separated or repeated
  --files                  ls: also every file: its hour window, offsets, source times, rows, schema id, size
  --archive-days <n>       prune: the age (days, fractions allowed) beyond which archive files may go
  --keep-bases <k>         prune: how many of the newest base backups stay (and protect the files after them);
                           ls: which bases that retention would keep
  --dry-run                prune: show what would be removed, remove nothing
  --force                  prune: even while an archive sink writes (it re-reads each manifest before rewriting it)
  --json                   one JSON document on stdout
  -h, --help               this text
Exit codes: 0 listed or pruned, 2 no archive there (NOT_FOUND), no table matches, or the
archive storage refused (ARCHIVE_STORAGE_REFUSED: wrong credentials, no such bucket).`;

const OPTIONS = {
  ...ARCHIVE_STORAGE_OPTIONS,
  tables: { type: 'string', multiple: true },
  files: { type: 'boolean' },
  'archive-days': { type: 'string' },
  'keep-bases': { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Flags = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

export async function archiveCommand(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseCommandLine('archive', argv, OPTIONS);
  if (f.help || positionals.length === 0) {
    process.stdout.write(`${ARCHIVE_HELP}\n`);
    return f.help ? 0 : 2;
  }
  const sub = positionals[0];
  if ((sub !== 'ls' && sub !== 'prune') || positionals.length > 1) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice archive: unknown subcommand ${JSON.stringify(positionals.join(' '))}; the ones there are: ls, prune (see sluice archive --help)`,
    );
  }
  if (f.path) {
    let isDir = false;
    try {
      isDir = statSync(f.path).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new SluiceError('NOT_FOUND', `sluice archive ${sub}: no archive directory at ${f.path}`);
  }
  const storage = archiveStorageFromFlags(`archive ${sub}`, f);
  try {
    return sub === 'ls' ? await list(storage, f) : await prune(storage, f);
  } finally {
    await storage.close?.();
  }
}

async function list(storage: ArchiveStorage, f: Flags): Promise<number> {
  const patterns = listFlag(f.tables);
  const keepBases = positiveNumber('keep-bases', f['keep-bases'], true);
  const tables = await summarizeArchive(storage, patterns);
  const bases = await summarizeBases(storage, patterns, keepBases);
  const writer = await describeWriter(storage);
  if (!tables.length && !bases.length) {
    throw new SluiceError(
      'NOT_FOUND',
      `sluice archive ls: no archived table${patterns.length ? ` matching ${patterns.join(', ')}` : ''} in ${storage.location}`,
    );
  }
  if (f.json) {
    const out = tables.map(({ entries, ...t }) => ({ ...t, ...(f.files ? { entries } : {}) }));
    process.stdout.write(
      `${JSON.stringify({ root: storage.location, writer: writer ?? null, tables: out, bases, keepBases: keepBases ?? null }, null, 2)}\n`,
    );
  } else {
    const head = writer ? `\nwriter: ${writer}` : '';
    process.stdout.write(
      `${renderArchive(storage.location, tables, f.files ?? false)}${head}\n\n${renderBases(bases, keepBases)}\n`,
    );
  }
  return 0;
}

/** The bases: one line each, then per table its rows, end offsets and newest change. */
export function renderBases(bases: BaseSummary[], keepBases: number | undefined): string {
  const rule = keepBases === undefined ? 'every base (no --keep-bases)' : `the newest ${keepBases}`;
  if (!bases.length) return 'no base backups (sluice backup writes them)';
  const lines = [
    `${bases.length} base backup${bases.length === 1 ? '' : 's'}; retention keeps ${rule}`,
    renderTable(
      ['base', 'created', 'tables', 'rows', 'size', 'retention'],
      bases.map((b) => [
        b.id,
        time(b.createdAtMs),
        String(b.tables.length),
        count(b.rows),
        sizeText(b.bytes),
        b.error ? `unreadable: ${b.error}` : b.kept ? 'kept' : `pruned (beyond --keep-bases ${keepBases})`,
      ]),
    ),
  ];
  for (const b of bases) {
    if (!b.tables.length) continue;
    lines.push(`${b.id}:`);
    for (const t of b.tables) {
      const ends = t.ends.map((e) => `${e.partition}@${e.endOffset}`).join(' ');
      lines.push(`  ${t.db}.${t.table}: ${count(t.rows)} rows, ends ${ends}, last change ${time(t.lastSourceTsMs)}`);
    }
  }
  return lines.join('\n');
}

const positiveNumber = (flag: string, v: string | undefined, integer: boolean): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice archive: --${flag} takes a positive ${integer ? 'integer' : 'number'}, not ${v}`,
    );
  }
  return n;
};

async function prune(storage: ArchiveStorage, f: Flags): Promise<number> {
  const archiveDays = positiveNumber('archive-days', f['archive-days'], false);
  const keepBases = positiveNumber('keep-bases', f['keep-bases'], true);
  if (archiveDays === undefined && keepBases === undefined) {
    throw new SluiceError('CONFIG_INVALID', 'sluice archive prune: give --archive-days <n>, --keep-bases <k>, or both');
  }
  const dryRun = f['dry-run'] ?? false;
  const writer = await checkWriter(storage, { force: f.force ?? false, dryRun });
  const plan = await pruneArchive(storage, { archiveDays, keepBases }, { dryRun });
  if (plan.refused) throw new SluiceError('ARCHIVE_STORAGE_REFUSED', `sluice archive prune: ${plan.refused}`);
  if (f.json) process.stdout.write(`${JSON.stringify({ ...pruneJson(storage.location, plan, dryRun), writer }, null, 2)}\n`);
  else process.stdout.write(`${renderPrune(storage.location, plan, dryRun)}${writer ? `\nnote: ${writer}` : ''}\n`);
  return 0;
}

const pruneJson = (root: string, plan: PrunePlan, dryRun: boolean) => ({
  root,
  dryRun,
  files: plan.files.flatMap((t) =>
    t.entries.map((e) => ({ table: `${e.db}.${e.table}`, file: `${t.table}/${e.file}`, rows: e.rows, bytes: e.bytes })),
  ),
  basesRemoved: plan.bases.map((b) => ({ id: b.id, createdAtMs: b.createdAtMs })),
  basesKept: plan.kept.map((b) => ({ id: b.id, createdAtMs: b.createdAtMs })),
});

export function renderPrune(root: string, plan: PrunePlan, dryRun: boolean): string {
  const verb = dryRun ? 'would remove' : 'removed';
  const entries = plan.files.flatMap((t) => t.entries.map((e) => ({ key: t.table, e })));
  const lines = [`archive at ${root}${dryRun ? ' (dry run: nothing removed)' : ''}`];
  if (entries.length) {
    lines.push(
      renderTable(
        ['table', 'file', 'to (source time)', 'rows', 'size'],
        entries.map(({ e }) => [`${e.db}.${e.table}`, e.file, time(e.lastSourceTsMs), count(e.rows), sizeText(e.bytes)]),
      ),
    );
  }
  lines.push(
    `${verb} ${count(entries.length)} archive files (${count(entries.reduce((n, x) => n + x.e.rows, 0))} changes, ${sizeText(entries.reduce((n, x) => n + x.e.bytes, 0))})`,
    `${verb} ${plan.bases.length} base backups${plan.bases.length ? `: ${plan.bases.map((b) => b.id).join(', ')}` : ''}; kept ${plan.kept.length}${plan.kept.length ? `: ${plan.kept.map((b) => `${b.id} (${time(b.createdAtMs)})`).join(', ')}` : ''}`,
  );
  return lines.join('\n');
}

const time = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

export function sizeText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

export function renderArchive(root: string, tables: ArchivedTable[], files: boolean): string {
  const lines = [
    `archive at ${root}`,
    renderTable(
      ['table', 'files', 'rows', 'size', 'from (source time)', 'to (source time)', 'schemas', 'partitions', 'hours'],
      tables.map((t) => [
        `${t.db}.${t.table}`,
        count(t.files),
        count(t.rows),
        sizeText(t.bytes),
        time(t.from),
        time(t.to),
        t.schemaIds.join(','),
        t.partitions.join(','),
        count(t.hours),
      ]),
    ),
    `${tables.length} tables, ${count(tables.reduce((n, t) => n + t.files, 0))} files, ${count(tables.reduce((n, t) => n + t.rows, 0))} changes, ${sizeText(tables.reduce((n, t) => n + t.bytes, 0))}`,
  ];
  if (files) {
    for (const t of tables) {
      lines.push(
        '',
        `${t.db}.${t.table} (${t.dir})`,
        renderTable(
          ['file', 'offsets', 'from', 'to', 'rows', 'schema', 'size'],
          t.entries.map((e) => [
            e.file,
            `${e.firstOffset}-${e.lastOffset}`,
            time(e.firstSourceTsMs),
            time(e.lastSourceTsMs),
            count(e.rows),
            String(e.schemaId),
            sizeText(e.bytes),
          ]),
        ),
      );
    }
  }
  return lines.join('\n');
}
