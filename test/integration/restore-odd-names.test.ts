import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qualified, quoteIdent, removeTree } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { archivePipeline } from '../support/archive.ts';
import { sluice } from '../support/cli.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * A hostile restore: a database named with a dot, unicode, a space, `;` and a backtick; a table
 * named with a dot and a backtick and one of 64 characters; columns named likewise; values at
 * their edges (BIGINT UNSIGNED max, DECIMAL(65,30), DATETIME(6), utf8mb4 beyond the BMP, NULLs)
 * and a 2 MiB LONGBLOB updated in place (both images past Kafka's default 1 MiB). Archived by
 * the archive sink, a base taken, then `sluice restore --to-position` the source's GTID at an
 * instant, under the same names into the target MariaDB and into TiDB: every value equal to the
 * source's then, compared by value (the blob by length and SHA-256).
 */
const s = stack();

describe('restore of odd names and edge values', () => {
  const base = uniqueName('iso_rodd');
  const db = `${base}.名 ;d\``;
  const tables = ['t.b`c 表', `${'l'.repeat(60)}é;.x`];
  const prefix = uniqueName('rodd');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-restore-odd-'));
  const services: ServiceProcess[] = [];
  const targets = s.targets.filter((t) => t.name === 'mariadb' || t.name === 'tidb');
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    await Promise.all(services.map((p) => p.stop()));
    for (const url of [s.sourceUrl, ...targets.map((t) => t.url)]) {
      const c = await connect(url);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
      await c.end();
    }
    await source?.end();
    await removeTree(dir);
  });

  /** Every value in a form both servers print alike; the blob by length and hash. */
  const read = async (c: mysql.Connection, table: string) => {
    const [rows] = await c.query({
      sql: `SELECT CAST(\`id\` AS CHAR), CAST(\`v;1\` AS CHAR), \`名\`, CAST(LENGTH(\`a\`\`b\`) AS CHAR), SHA2(\`a\`\`b\`, 256), CAST(\`d.t\` AS CHAR(26)), \`f\` FROM ${qualified(db, table)} ORDER BY \`id\``,
      rowsAsArray: true,
    });
    return rows as unknown[];
  };

  it('restores every table under its own name, value for value, into MariaDB and TiDB', { timeout: 180_000 }, async () => {
    source = await connect(s.sourceUrl);
    const src = source;
    const blob = randomBytes(2 * 1024 * 1024);
    await src.query(`CREATE DATABASE ${quoteIdent(db)}`);
    for (const t of tables) {
      await src.query(
        `CREATE TABLE ${qualified(db, t)} (\`id\` BIGINT UNSIGNED PRIMARY KEY, \`v;1\` DECIMAL(65,30) NULL, \`名\` VARCHAR(40) CHARACTER SET utf8mb4 NULL, \`a\`\`b\` LONGBLOB NULL, \`d.t\` DATETIME(6) NULL, \`f\` DOUBLE NULL)`,
      );
      await src.query(`INSERT INTO ${qualified(db, t)} VALUES ?`, [
        [
          [
            '0',
            '-99999999999999999999999999999999999.999999999999999999999999999999',
            '😀 é',
            Buffer.alloc(0),
            '1000-01-01 00:00:00.000000',
            -1.7976931348623157e308,
          ],
          ['18446744073709551615', '0.000000000000000000000000000001', null, null, '9999-12-31 23:59:59.999999', 5e-324],
          ['42', null, '', Buffer.from([0, 255, 0]), null, null],
        ],
      ]);
    }
    const { kafkaFlags: kafka } = await archivePipeline(s, {
      name: 'capture-restore-odd',
      prefix,
      include: [`${base}*.*`],
      dir,
      rows: 3 * tables.length,
      services,
    });
    const backup = await sluice(['backup', '--path', dir, ...kafka], { timeoutMs: 60_000 });
    expect(backup.code, backup.stderr).toBe(0);

    for (const t of tables) {
      const q = qualified(db, t);
      await src.query(`INSERT INTO ${q} VALUES (?, ?, ?, ?, ?, ?)`, ['7', '1.5', '𝄞;`', blob, '2024-02-29 12:00:00.5', 0.1]);
      await src.query(`UPDATE ${q} SET \`a\`\`b\` = ?, \`名\` = 'big' WHERE \`id\` = 7`, [
        Buffer.concat([blob, blob.subarray(0, 1000)]),
      ]);
      await src.query(`UPDATE ${q} SET \`v;1\` = NULL, \`d.t\` = NOW(6) WHERE \`id\` = 42`);
      await src.query(`DELETE FROM ${q} WHERE \`id\` = 0`);
    }
    const [[at]] = (await src.query({ sql: 'SELECT @@gtid_binlog_pos', rowsAsArray: true })) as [[string][], unknown];
    const want = new Map<string, unknown[]>();
    for (const t of tables) want.set(t, await read(src, t));
    // After the instant: left out of the restore.
    for (const t of tables) {
      await src.query(`UPDATE ${qualified(db, t)} SET \`名\` = 'after' WHERE \`id\` = 7`);
      await src.query(`INSERT INTO ${qualified(db, t)} (\`id\`) VALUES (8)`);
    }

    await waitFor(
      'the archive to reach past the instant',
      async () => {
        const r = await sluice(['restore', '--path', dir, '--to-position', String(at), '--dry-run']);
        return r.code === 0 ? true : undefined;
      },
      60_000,
    );
    for (const target of targets) {
      const r = await sluice(['restore', '--path', dir, '--to-position', String(at), '--target', target.url], {
        timeoutMs: 90_000,
      });
      expect(r.code, `${target.name}: ${r.stderr}`).toBe(0);
      const c = await connect(target.url);
      try {
        for (const t of tables) expect(await read(c, t), `${target.name} ${t}`).toEqual(want.get(t));
      } finally {
        await c.end();
      }
    }
    // The rows really were there: the big blob, twice changed, and the deleted row gone.
    const big = want.get(tables[0] as string)?.find((r) => (r as unknown[])[0] === '7') as unknown[];
    expect(big[3]).toBe(String(blob.length + 1000));
    expect(want.get(tables[0] as string)?.some((r) => (r as unknown[])[0] === '0')).toBe(false);
  });
});
