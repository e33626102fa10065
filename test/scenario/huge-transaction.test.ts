import { readFileSync } from 'node:fs';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Issue 12, item 1: one source transaction far larger than the capture's memory. Its records are
 * streamed into one open Kafka transaction as they are read and committed with the checkpoint at
 * the source COMMIT, so memory stays bounded (held whole, this transaction ran the capture out of
 * a 96 MiB heap; issue 12 saw 647 MB at 1M rows). It is killed
 * with SIGKILL in the middle of the transaction and restarted: read_committed, the topic then
 * holds each of the transaction's changes exactly once, and nothing of the killed attempt.
 */
const s = stack();
const ROWS = 200_000;

/** Peak resident memory of a process, in MiB (VmHWM). */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]) / 1024;
}

describe('a source transaction larger than the capture may hold', () => {
  const db = uniqueName('iso_big');
  const prefix = uniqueName('big');
  const topic = `${prefix}.${db}.t`;
  let capture: ServiceProcess | undefined;
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    await capture?.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
  });

  it('is streamed with bounded memory, and a kill -9 in its middle shows and loses nothing', async () => {
    source = await connect(s.sourceUrl);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v INT NOT NULL, pad CHAR(60) NOT NULL)`);
    await source.query('SET SESSION max_recursive_iterations = 1000000');
    await source.query(
      `INSERT INTO \`${db}\`.t WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
       SELECT i, i, REPEAT('p', 60) FROM n`,
    );
    // Smaller than the transaction's records (each row twice, before and after): only streaming fits.
    capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      include: [`${db}.*`],
      extra: { topics: { cleanupPolicy: 'delete' }, snapshot: { mode: 'never' } },
    });
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);

    await source.query(`UPDATE \`${db}\`.t SET v = v + 1`);
    // In the middle: part of the transaction is in the open Kafka transaction, not yet committed.
    await capture.waitLog(/"msg":"large source transaction: streaming its records/, 1, 120_000);
    await new Promise((r) => setTimeout(r, 200));
    await capture.kill9();
    await capture.start();
    await capture.waitLog(/"msg":"large source transaction: streaming its records/, 2, 120_000);
    await source.query(`INSERT INTO \`${db}\`.t VALUES (${ROWS + 1}, 0, 'after')`);

    const records = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic,
      expected: ROWS + 1,
      timeoutMs: 240_000,
      settleMs: 3_000,
    });
    const pid = capture.pid;
    const peak = pid ? peakRssMiB(pid) : Number.NaN;
    expect(records.length, capture.tail(20)).toBe(ROWS + 1);
    const updates = records.filter((r) => r.value?.op === 'u');
    expect(updates.length).toBe(ROWS);
    const ids = new Set<number>();
    for (const r of updates) {
      const after = r.value?.after as { id: number; v: number };
      expect(after.v).toBe(after.id + 1);
      ids.add(after.id);
    }
    expect(ids.size).toBe(ROWS);
    // One source transaction: one transaction id, numbered 1..ROWS without a gap.
    const txn = updates.map((r) => r.value?.transaction as { id: string; total_order: bigint | number });
    expect(new Set(txn.map((t) => t.id)).size).toBe(1);
    expect(Number(txn[txn.length - 1]?.total_order)).toBe(ROWS);
    expect(records[records.length - 1]?.value?.op).toBe('c');
    console.info(`capture peak RSS over the transaction: ${peak.toFixed(1)} MiB`);
    // About 200 MiB here, 125-140 MiB of it an idle capture's; 200 MiB at 5M rows too (docs/limits.md).
    // Held whole, the transaction grows memory with its size. Issue 12's bound: 256 MB (244 MiB).
    expect(peak, `peak RSS ${peak} MiB`).toBeLessThan(244);
  });
});
