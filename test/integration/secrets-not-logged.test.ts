import { randomBytes } from 'node:crypto';
import { schemaChangeTopic } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/**
 * Issue 10 item 8: no secret of a statement the source logs (CREATE USER, ALTER USER, SET
 * PASSWORD, GRANT ... IDENTIFIED BY, CREATE SERVER, a CONNECTION URL in a captured table's DDL)
 * reaches the capture's log or the schema-change topic, while the captured table's DDL still
 * arrives. MariaDB writes these statements into its binlog with the passwords in clear.
 */
const s = stack();

describe('secrets in statements the source logs', () => {
  const db = uniqueName('iso_secret');
  const prefix = uniqueName('sec');
  const user = uniqueName('zz_sec');
  const server = uniqueName('zz_srv');
  const pw = (n: number) => `pw${n}_${randomBytes(6).toString('hex')}`;
  const secrets = [1, 2, 3, 4, 5, 6, 7].map(pw);
  let capture: ServiceProcess | undefined;
  let conn: mysql.Connection | undefined;

  afterAll(async () => {
    await capture?.stop();
    await conn?.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
    await conn?.query(`DROP SERVER IF EXISTS \`${server}\``).catch(() => undefined);
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  it('reach neither the log nor the _schema_changes topic', async () => {
    conn = await connect(s.sourceUrl);
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, a VARCHAR(10))`);
    capture = ownCapture(s, {
      name: 'capture-secrets',
      prefix,
      include: [`${db}.*`],
      extra: { topics: { cleanupPolicy: 'delete' } },
    });
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);

    const [p1, p2, p3, p4, p5, p6, p7] = secrets as [string, string, string, string, string, string, string];
    const u = `'${user}'@'%'`;
    for (const sql of [
      `CREATE USER ${u} IDENTIFIED BY '${p1}'`,
      `ALTER USER ${u} IDENTIFIED BY '${p2}'`,
      `SET PASSWORD FOR ${u} = PASSWORD('${p3}')`,
      `GRANT SELECT ON \`${db}\`.* TO ${u} IDENTIFIED BY '${p4}'`,
      `ALTER USER ${u} IDENTIFIED VIA mysql_native_password USING PASSWORD('${p5}')`,
      // MariaDB 10.11 does not binlog CREATE/DROP SERVER; a server that does is covered all the same.
      `CREATE SERVER \`${server}\` FOREIGN DATA WRAPPER mysql OPTIONS (USER 'fed', PASSWORD '${p6}', HOST '127.0.0.1')`,
      // A captured table's DDL carrying a credential in a literal, and one without.
      `ALTER TABLE \`${db}\`.t COMMENT 'copy of mysql://fed:${p7}@127.0.0.1:3306/${db}/t'`,
      `ALTER TABLE \`${db}\`.t ADD COLUMN b INT`,
      `DROP SERVER \`${server}\``,
      `DROP USER ${u}`,
      `INSERT INTO \`${db}\`.t VALUES (1, 'after', 2)`,
    ]) {
      await conn.query(sql);
    }

    // The row after every statement arrives: the capture has read them all.
    const rows = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: `${prefix}.${db}.t`,
      expected: 1,
    });
    expect(
      rows.map((r) => (r.value?.after as { id: number } | null)?.id),
      capture.tail(),
    ).toContain(1);
    const changes = await readTopic({
      brokers: s.kafkaBrokers,
      registryUrl: s.registryUrl,
      topic: schemaChangeTopic(prefix),
      expected: 2,
    });
    const statements = changes.map((r) => String(r.value?.statement));
    expect(statements, capture.tail()).toEqual([
      `ALTER TABLE \`${db}\`.t COMMENT 'copy of mysql://fed:[redacted]@127.0.0.1:3306/${db}/t'`,
      `ALTER TABLE \`${db}\`.t ADD COLUMN b INT`,
    ]);

    const log = capture.log();
    const topic = JSON.stringify([changes, rows], (_, v) => (typeof v === 'bigint' ? String(v) : v));
    for (const secret of secrets) {
      expect(log, `capture log holds ${secret}`).not.toContain(secret);
      expect(topic, `topics hold ${secret}`).not.toContain(secret);
    }
    // Account statements are logged by kind only; the table's DDL in full.
    for (const kind of ['CREATE USER', 'ALTER USER', 'SET PASSWORD', 'GRANT', 'DROP USER']) {
      expect(log).toContain(`"kind":"${kind}"`);
    }
    expect(log).not.toContain(user);
    expect(log).toContain('ADD COLUMN b INT');
  });
});
