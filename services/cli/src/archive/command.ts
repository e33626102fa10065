import { statSync } from 'node:fs';
import { SluiceError } from '@sluice/core';
import { count, renderTable } from '../output/table.ts';
import { listFlag, parseCommandLine } from '../shared/args.ts';
import { type ArchivedTable, summarizeArchive } from './archive-summary.ts';

export const ARCHIVE_HELP = `sluice archive: what an archive sink keeps (docs/backup.md)

usage: sluice archive ls --path <root> [--tables <patterns>] [--files] [--json]

Reads the manifests under the archive root (<root>/<db>/<table>/manifest.jsonl, written by a
sink with target.kind: archive) and shows per table:
  files, rows, size   the durable archive files, the changes in them, their bytes (compressed)
  from, to            the source times (UTC) of the first and last change kept
  schemas             the envelope schema versions (registry ids) the files were written with
  partitions, hours   the topic partitions and the hour windows that hold files
Files still being written (temp names) are not part of the archive and are not counted.

options:
  --path <root>            the archive root (the sink's target.path)
  --tables <patterns>      only these tables: <db>.<table> with * and ?, comma-separated or repeated
  --files                  also every file: its hour window, offsets, source times, rows, schema id, size
  --json                   one JSON document on stdout
  -h, --help               this text
Exit codes: 0 listed, 2 no archive at the path (NOT_FOUND) or no table matches.`;

const OPTIONS = {
  path: { type: 'string' },
  tables: { type: 'string', multiple: true },
  files: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export async function archiveCommand(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseCommandLine('archive', argv, OPTIONS);
  if (f.help || positionals.length === 0) {
    process.stdout.write(`${ARCHIVE_HELP}\n`);
    return f.help ? 0 : 2;
  }
  if (positionals[0] !== 'ls' || positionals.length > 1) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice archive: unknown subcommand ${JSON.stringify(positionals.join(' '))}; the one there is: ls (see sluice archive --help)`,
    );
  }
  if (!f.path) throw new SluiceError('CONFIG_INVALID', 'sluice archive ls: --path <root> is required (the sink target.path)');
  let isDir = false;
  try {
    isDir = statSync(f.path).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new SluiceError('NOT_FOUND', `sluice archive ls: no archive directory at ${f.path}`);
  const patterns = listFlag(f.tables);
  const tables = await summarizeArchive(f.path, patterns);
  if (!tables.length) {
    throw new SluiceError(
      'NOT_FOUND',
      `sluice archive ls: no archived table${patterns.length ? ` matching ${patterns.join(', ')}` : ''} under ${f.path}`,
    );
  }
  if (f.json) {
    const out = tables.map(({ entries, ...t }) => ({ ...t, ...(f.files ? { entries } : {}) }));
    process.stdout.write(`${JSON.stringify({ root: f.path, tables: out }, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderArchive(f.path, tables, f.files ?? false)}\n`);
  }
  return 0;
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
