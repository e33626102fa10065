import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qualified, quoteIdent, removeTree } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { archivePipeline } from '../support/archive.ts';
import { sluice } from '../support/cli.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, rowsOf, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * A restore across table-level DDL in the archive: a table renamed (its rows before the rename
 * are on the old name's topic, after it on the new one's), a table truncated and written again,
 * and a table dropped and created again under the same name with other columns. Restored by
 * GTID after all of it (and a swap of two tables through a temporary name), the target holds exactly the source's tables and rows: no table of an
 * old name, no row from before the truncate or the drop.
 */
const s = stack();

describe('restore across RENAME, TRUNCATE and DROP/CREATE', () => {
  const db = uniqueName('iso_rddl');
  const prefix = uniqueName('rddl');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-restore-ddl-'));
  const services: ServiceProcess[] = [];
  const maria = s.targets.find((t) => t.name === 'mariadb')?.url as string;
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    for (const url of [s.sourceUrl, maria]) {
      const c = await connect(url);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
      await c.end();
    }
    await source?.end();
    await removeTree(dir);
  });

  const tablesOf = async (c: mysql.Connection): Promise<string[]> => {
    const [rows] = await c.query({
      sql: 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
      values: [db],
      rowsAsArray: true,
    });
    return (rows as string[][]).map((r) => r[0] as string);
  };

  it('ends with the source tables and rows at the instant', { timeout: 180_000 }, async () => {
    source = await connect(s.sourceUrl);
    const src = source;
    const q = (t: string) => qualified(db, t);
    await src.query(`CREATE DATABASE ${quoteIdent(db)}`);
    for (const t of ['moved', 'emptied', 'again', 'left', 'right']) {
      await src.query(`CREATE TABLE ${q(t)} (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
      await src.query(`INSERT INTO ${q(t)} VALUES ?`, [Array.from({ length: 20 }, (_, i) => [i + 1, `${t}${i}`])]);
    }
    const { kafkaFlags: kafka } = await archivePipeline(s, {
      name: 'capture-restore-ddl',
      prefix,
      include: [`${db}.*`],
      dir,
      rows: 100,
      services,
    });
    const backup = await sluice(['backup', '--path', dir, ...kafka], { timeoutMs: 60_000 });
    expect(backup.code, backup.stderr).toBe(0);

    await src.query(`UPDATE ${q('moved')} SET v = 'before rename' WHERE id <= 5`);
    await src.query(`RENAME TABLE ${q('moved')} TO ${q('arrived')}`);
    await src.query(`UPDATE ${q('arrived')} SET v = 'after rename' WHERE id > 15`);
    await src.query(`INSERT INTO ${q('arrived')} VALUES (100, 'new')`);
    await src.query(`TRUNCATE TABLE ${q('emptied')}`);
    await src.query(`INSERT INTO ${q('emptied')} VALUES (7, 'after truncate')`);
    await src.query(`DROP TABLE ${q('again')}`);
    await src.query(`CREATE TABLE ${q('again')} (id INT PRIMARY KEY, w INT NULL)`);
    await src.query(`INSERT INTO ${q('again')} VALUES (3, 33), (4, NULL)`);
    // A swap through a temporary name in one statement (each rename waits for the one before).
    await src.query(`RENAME TABLE ${q('left')} TO ${q('tmp')}, ${q('right')} TO ${q('left')}, ${q('tmp')} TO ${q('right')}`);
    await src.query(`UPDATE ${q('left')} SET v = 'was right' WHERE id = 1`);
    await src.query(`UPDATE ${q('right')} SET v = 'was left' WHERE id = 1`);
    const [[at]] = (await src.query({ sql: 'SELECT @@gtid_binlog_pos', rowsAsArray: true })) as [[string][], unknown];
    const want = new Map<string, unknown[]>();
    const tables = await tablesOf(src);
    expect(tables).toEqual(['again', 'arrived', 'emptied', 'left', 'right']);
    for (const t of tables) want.set(t, await rowsOf(src, db, t, 'id'));
    await src.query(`INSERT INTO ${q('arrived')} VALUES (200, 'after the instant')`);

    await waitFor(
      'the archive to reach past the instant',
      async () =>
        (await sluice(['restore', '--path', dir, '--to-position', String(at), '--dry-run'])).code === 0 ? true : undefined,
      60_000,
    );
    const r = await sluice(['restore', '--path', dir, '--to-position', String(at), '--target', maria], { timeoutMs: 90_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const c = await connect(maria);
    try {
      expect(await tablesOf(c)).toEqual(tables);
      for (const t of tables) expect(await rowsOf(c, db, t, 'id'), t).toEqual(want.get(t));
    } finally {
      await c.end();
    }
  });
});
