/**
 * make bench's last step: the targets from the results the benches wrote since this run
 * of make bench began (bench/results/<bench>-<timestamp>.json; the newest of each kind).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatRows, newestResult, targetRows } from './targets.ts';

const dir = new URL('../results/', import.meta.url).pathname;
const sinceMs = Number(process.argv[2] ?? 0) * 1000;

function newest<T>(kind: string): T | undefined {
  const files = readdirSync(dir).map((name) => ({ name, atMs: statSync(join(dir, name)).mtimeMs }));
  const file = newestResult(kind, files, sinceMs);
  return file ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as T) : undefined;
}

const rows = targetRows({ capture: newest('capture'), sink: newest('sink'), e2e: newest('e2e') });
console.log(`\nmake bench: the targets, measured in this run (${new Date(sinceMs).toISOString()} on)`);
for (const l of formatRows(rows)) console.log(`  ${l}`);
