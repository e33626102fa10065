import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, rowsOf, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * The walking skeleton end to end: rows written to the source MariaDB arrive, exactly, in every
 * target through capture -> Kafka -> one sink group per target.
 */
describe('source to every target', () => {
  const s = stack();
  const db = uniqueName('e2e');
  let source: mysql.Connection;
  const targets: { name: string; conn: mysql.Connection }[] = [];

  beforeAll(async () => {
    source = await connect(s.sourceUrl);
    for (const t of s.targets) targets.push({ name: t.name, conn: await connect(t.url) });
  });

  afterAll(async () => {
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
    for (const t of targets) {
      await t.conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await t.conn.end();
    }
  });

  it('insert, update, primary-key change and delete converge in every target', async () => {
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.items (
      id INT NOT NULL PRIMARY KEY,
      name VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL,
      qty BIGINT UNSIGNED NULL,
      small TINYINT NULL,
      price DECIMAL(65,30) NULL,
      made DATETIME(6) NULL,
      signed_big BIGINT NULL
    )`);
    await source.query(
      `INSERT INTO \`${db}\`.items VALUES
        (1, 'tea', 18446744073709551615, -128, '12345678901234567890123456789012345.123456789012345678901234567890', '2024-02-29 23:59:59.123456', -9223372036854775808),
        (2, 'café 😀', 0, 127, '-0.000000000000000000000000000001', '1000-01-01 00:00:00.000000', 9223372036854775807),
        (3, 'three', NULL, NULL, NULL, NULL, NULL),
        (4, 'four', 4, 4, '4.5', '9999-12-31 23:59:59.999999', 4)`,
    );
    // A transaction of several changes, a key change among them.
    await source.beginTransaction();
    await source.query(`UPDATE \`${db}\`.items SET name = 'green tea', price = '1.000000000000000000000000000001' WHERE id = 1`);
    await source.query(`UPDATE \`${db}\`.items SET id = 30, name = 'thirty' WHERE id = 3`);
    await source.query(`DELETE FROM \`${db}\`.items WHERE id = 4`);
    await source.commit();
    await source.query(`INSERT INTO \`${db}\`.items (id, name) VALUES (5, 'five')`);

    const expected = await rowsOf(source, db, 'items', 'id');
    expect(expected).toHaveLength(4);
    for (const t of targets) {
      await waitFor(`${t.name} to hold the source rows`, async () => {
        const rows = await rowsOf(t.conn, db, 'items', 'id').catch(() => []);
        return JSON.stringify(rows) === JSON.stringify(expected) ? rows : undefined;
      }).catch(() => undefined);
      // Compared once more outside the poll so that a failure shows the row-by-row difference.
      expect(await rowsOf(t.conn, db, 'items', 'id'), t.name).toEqual(expected);
    }
  });
});
