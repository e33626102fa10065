/**
 * bench-verify: rows/s that `sluice verify` compares on a table of BENCH_ROWS rows (default 1M)
 * that is equal on source and target, next to a plain `SELECT COUNT(*)` scan of the same table
 * on each side, in one run on this machine. Data is written to both sides directly (not through
 * the pipeline): this measures verify, not replication.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { mysqlOptionsFromUrl } from '@sluice/core';
import mysql from 'mysql2/promise';
import { stack } from '../../test/support/stack.ts';

const run = promisify(execFile);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BATCH = 5_000;
const root = new URL('../../', import.meta.url).pathname;
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase();
const db = `iso_bverify_${stamp}`;
const log = (msg: string) => process.stderr.write(`[bench-verify] ${msg}\n`);

async function fill(url: string): Promise<void> {
  const c = await mysql.createConnection(mysqlOptionsFromUrl(url));
  try {
    await c.query(`CREATE DATABASE \`${db}\``);
    // One collation on both sides (server defaults differ: MariaDB utf8mb4_general_ci, TiDB
    // utf8mb4_bin), or verify rightly reports the definitions different.
    await c.query(
      `CREATE TABLE \`${db}\`.t (id BIGINT PRIMARY KEY, a INT, b VARCHAR(64), c DECIMAL(12,2), d DATETIME(6)) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
    );
    for (let from = 0; from < ROWS; from += BATCH) {
      const rows = Array.from({ length: Math.min(BATCH, ROWS - from) }, (_, i) => {
        const id = from + i + 1;
        return [
          id,
          id % 1000,
          `row ${id} ${'x'.repeat(id % 40)}`,
          ((id * 37) % 100000) / 100,
          `2024-01-01 00:00:${String(id % 60).padStart(2, '0')}.${String(id % 1e6).padStart(6, '0')}`,
        ];
      });
      await c.query(`INSERT INTO \`${db}\`.t VALUES ?`, [rows]);
    }
  } finally {
    await c.end();
  }
}

async function countScan(url: string): Promise<number> {
  const c = await mysql.createConnection(mysqlOptionsFromUrl(url));
  try {
    const t0 = performance.now();
    await c.query(`SELECT COUNT(*) FROM \`${db}\`.t`);
    return (performance.now() - t0) / 1000;
  } finally {
    await c.end();
  }
}

async function drop(url: string): Promise<void> {
  const c = await mysql.createConnection(mysqlOptionsFromUrl(url));
  await c.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  await c.end();
}

async function main(): Promise<void> {
  const s = stack();
  const results: Record<string, unknown>[] = [];
  log(`writing ${ROWS.toLocaleString('en-US')} rows to the source`);
  await fill(s.sourceUrl);
  try {
    for (const target of s.targets) {
      log(`${target.name}: writing the same rows`);
      await fill(target.url);
      try {
        const sourceScan = await countScan(s.sourceUrl);
        const targetScan = await countScan(target.url);
        const t0 = performance.now();
        const out = await run(
          process.execPath,
          [
            `${root}services/cli/src/main.ts`,
            'verify',
            '--source',
            s.sourceUrl,
            '--target',
            target.url,
            '--tables',
            `${db}.t`,
            '--json',
          ],
          { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SLUICE_NO_STACK_ENV: '1' } },
        ).catch((err: { stdout?: string; code?: number }) => ({ stdout: err.stdout ?? '', code: err.code }));
        const seconds = (performance.now() - t0) / 1000;
        // Verify must really have compared every row, and found them equal.
        const report = JSON.parse(out.stdout || '{}') as {
          equal?: boolean;
          tables?: { sourceRows?: number; targetRows?: number }[];
        };
        const compared = report.tables?.[0]?.sourceRows ?? 0;
        const equal = report.equal === true && compared === ROWS && report.tables?.[0]?.targetRows === ROWS;
        // A verify that does not say equal on equal data is a defect: show what it said.
        if (!equal) log(`${target.name}: verify did not say equal: ${out.stdout.slice(0, 4000)}`);
        const r = {
          target: target.name,
          rows: ROWS,
          verifySeconds: seconds,
          verifyRowsPerSecond: ROWS / seconds,
          countScanSecondsSource: sourceScan,
          countScanSecondsTarget: targetScan,
          countRowsPerSecond: ROWS / Math.max(sourceScan, targetScan),
          equal,
          comparedRows: compared,
        };
        results.push(r);
        log(
          `${target.name}: verify ${Math.round(r.verifyRowsPerSecond).toLocaleString('en-US')} rows/s (${seconds.toFixed(1)} s, ${compared.toLocaleString('en-US')} rows compared, equal: ${equal}); ` +
            `COUNT(*) scan ${sourceScan.toFixed(2)} s source / ${targetScan.toFixed(2)} s target ` +
            `(${Math.round(r.countRowsPerSecond).toLocaleString('en-US')} rows/s); ratio verify/count ${(r.verifyRowsPerSecond / r.countRowsPerSecond).toFixed(3)}`,
        );
      } finally {
        await drop(target.url);
      }
    }
  } finally {
    await drop(s.sourceUrl);
  }
  mkdirSync(`${root}bench/results`, { recursive: true });
  const file = `${root}bench/results/verify-${stamp}.json`;
  writeFileSync(file, `${JSON.stringify({ timestamp: stamp, results }, null, 2)}\n`);
  log(`written to ${file}`);
}

main().catch((err) => {
  process.stderr.write(`bench-verify failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
