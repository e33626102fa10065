import { Readable } from 'node:stream';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Issue 10 item 7: DML that a session writes with binlog_format STATEMENT (or MIXED, when it deems
 * the statement safe) reaches the binlog as a query event, never as rows. On a captured table it
 * stops the capture (SOURCE_STATEMENT_DML, naming the table), or with source.onStatementDml: warn
 * is logged and passed over while ROW changes keep arriving. On an excluded table, on a session's temporary table, and in a
 * transaction with SAVEPOINTs, nothing stops and nothing is lost. (Setting the session's
 * binlog_format needs SUPER/BINLOG ADMIN: the stack's admin user writes.)
 */
const s = stack();

const ids = (records: { value: Record<string, unknown> | null }[]) =>
  records
    .filter((r) => r.value?.op === 'c')
    .map((r) => (r.value?.after as { id: number } | null)?.id ?? -1)
    .sort((a, b) => a - b);

async function setUp(conn: mysql.Connection, db: string): Promise<void> {
  await conn.query(`CREATE DATABASE \`${db}\``);
  await conn.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20))`);
  await conn.query(`CREATE TABLE \`${db}\`.ex (id INT PRIMARY KEY)`);
}

/** Own capture of db.* but db.ex. */
function captureOf(
  db: string,
  prefix: string,
  name: string,
  source: Record<string, unknown> = {},
  url = s.sourceUrl,
): ServiceProcess {
  return ownCapture(s, {
    name,
    prefix,
    sourceUrl: url,
    include: [`${db}.*`],
    extra: { source, tables: { include: [`${db}.*`], exclude: [`${db}.ex`] }, topics: { cleanupPolicy: 'delete' } },
  });
}

/** MariaDB, and MySQL 8 where the stack has it. */
const sources = [{ name: 'mariadb', url: s.sourceUrl }, ...(s.mysql8Url ? [{ name: 'mysql8', url: s.mysql8Url }] : [])];

describe('DML written with binlog_format STATEMENT', () => {
  const captures: ServiceProcess[] = [];
  const conns: mysql.Connection[] = [];
  const cleanups: { conn: mysql.Connection; db: string }[] = [];

  afterAll(async () => {
    for (const c of captures) await c.stop();
    for (const { conn, db } of cleanups) await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    for (const c of conns) await c.end();
  });

  it.each(sources)('stops the capture at a captured table, naming it, and not before ($name)', async ({ name, url }) => {
    const db = uniqueName('iso_stmt');
    const prefix = uniqueName('stm');
    const rows = await connect(url);
    const stmt = await connect(url);
    conns.push(rows, stmt);
    cleanups.push({ conn: rows, db });
    await setUp(rows, db);
    const capture = captureOf(db, prefix, `capture-stmt-stop-${name}`, {}, url);
    captures.push(capture);
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);

    await stmt.query(`SET SESSION binlog_format = 'STATEMENT'`);
    await stmt.query(`USE \`${db}\``);
    // Not errors: an excluded table, and a temporary table hiding the captured one.
    await stmt.query('INSERT INTO ex VALUES (1)');
    await stmt.query('CREATE TEMPORARY TABLE t (id INT PRIMARY KEY, v VARCHAR(20))');
    await stmt.query(`INSERT INTO t VALUES (100, 'temporary')`);
    await stmt.query('TRUNCATE TABLE t');
    await stmt.query('DROP TEMPORARY TABLE t');
    // A ROW transaction with a SAVEPOINT in it arrives whole.
    await rows.query('BEGIN');
    await rows.query(`INSERT INTO \`${db}\`.t VALUES (1, 'row')`);
    await rows.query('SAVEPOINT sp1');
    await rows.query(`INSERT INTO \`${db}\`.t VALUES (2, 'rolled back')`);
    await rows.query('ROLLBACK TO SAVEPOINT sp1');
    await rows.query(`INSERT INTO \`${db}\`.t VALUES (3, 'row')`);
    await rows.query('COMMIT');
    const before = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.t`,
      expected: 2,
    });
    expect(ids(before), capture.tail()).toEqual([1, 3]);

    await stmt.query(`INSERT INTO t VALUES (4, 'statement')`);
    const code = await Promise.race([capture.waitExit(), new Promise((r) => setTimeout(() => r('still running'), 60_000))]);
    expect(code, capture.tail()).toBe(1);
    const log = capture.log();
    expect(log).toMatch(/"code":"SOURCE_STATEMENT_DML"/);
    expect(log).toContain(`INSERT on ${db}.t reached the binlog as a statement`);
    expect(log).toContain('source.onStatementDml: warn');
    expect(log).toContain('sluice verify');
    // The temporary table's TRUNCATE did not empty the real table's topic.
    const after = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.t`,
      expected: 2,
    });
    expect(after.filter((r) => r.value?.op === 't')).toEqual([]);

    // A restart stops at the same event again: the checkpoint never passed it.
    await capture.start().catch(() => undefined);
    await capture.waitLog(/"code":"SOURCE_STATEMENT_DML"/, 2);
  });

  it('with onStatementDml: warn logs the event, counts it and goes on (mariadb)', async () => {
    const db = uniqueName('iso_stmw');
    const prefix = uniqueName('stw');
    const rows = await connect(s.sourceUrl);
    const stmt = await connect(s.sourceUrl);
    conns.push(rows, stmt);
    cleanups.push({ conn: rows, db });
    await setUp(rows, db);
    const capture = captureOf(db, prefix, 'capture-stmt-warn', { onStatementDml: 'warn' });
    captures.push(capture);
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);

    await rows.query(`INSERT INTO \`${db}\`.t VALUES (1, 'row')`);
    await stmt.query(`SET SESSION binlog_format = 'STATEMENT'`);
    await stmt.query(`INSERT INTO \`${db}\`.t VALUES (2, 'statement')`);
    await stmt.query(`UPDATE \`${db}\`.t SET v = 'statement' WHERE id = 1`);
    // LOAD DATA as a statement comes in its own event type (Execute_load_query).
    await stmt.query({
      sql: `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE \`${db}\`.t`,
      infileStreamFactory: () => Readable.from([Buffer.from('5\tloaded\n')]),
    });
    // MIXED writes a safe statement as a statement, an unsafe one (UUID()) as rows.
    await stmt.query(`SET SESSION binlog_format = 'MIXED'`);
    await stmt.query(`INSERT INTO \`${db}\`.t VALUES (6, 'mixed')`);
    await stmt.query(`INSERT INTO \`${db}\`.t VALUES (7, LEFT(UUID(), 20))`);
    await rows.query(`INSERT INTO \`${db}\`.t VALUES (3, 'row')`);

    const records = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.t`,
      expected: 3,
    });
    expect(ids(records), capture.tail()).toEqual([1, 3, 7]);
    await capture.waitLog(/"level":50[^\n]*"code":"SOURCE_STATEMENT_DML"/, 4);
    const log = capture.log();
    expect(log).toContain(`"tables":["${db}.t"]`);
    expect(log).toContain(`UPDATE on ${db}.t reached the binlog as a statement`);
    const metrics = await waitFor('metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${capture.port}/metrics`)).text();
      return /sluice_capture_statement_dml_total\{[^}]*verb="insert"[^}]*\} 2/.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/sluice_capture_statement_dml_total\{[^}]*verb="insert"[^}]*\} 2/);
    expect(metrics).toMatch(/sluice_capture_statement_dml_total\{[^}]*verb="update"[^}]*\} 1/);
    expect(metrics).toMatch(/sluice_capture_statement_dml_total\{[^}]*verb="load"[^}]*\} 1/);
    expect(log).toContain(`LOAD DATA on ${db}.t reached the binlog as a statement`);
    expect(await fetch(`http://127.0.0.1:${capture.port}/readyz`).then((r) => r.ok)).toBe(true);
  });
});
