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
 * arrives. MariaDB writes these statements into its binlog with the passwords in clear; MySQL 8
 * writes the password hashes (IDENTIFIED WITH 'plugin' AS '<hash>'), which are secrets too.
 */
const s = stack();
const pw = (n: number) => `pw${n}_${randomBytes(6).toString('hex')}`;

const flavours = [
  {
    name: 'mariadb',
    url: s.sourceUrl,
    accounts: (u: string, db: string, server: string, p: string[]) => [
      `CREATE USER ${u} IDENTIFIED BY '${p[0]}'`,
      `ALTER USER ${u} IDENTIFIED BY '${p[1]}'`,
      `SET PASSWORD FOR ${u} = PASSWORD('${p[2]}')`,
      `GRANT SELECT ON \`${db}\`.* TO ${u} IDENTIFIED BY '${p[3]}'`,
      `ALTER USER ${u} IDENTIFIED VIA mysql_native_password USING PASSWORD('${p[4]}')`,
      // MariaDB 10.11 does not binlog CREATE/DROP SERVER; a server that does is covered all the same.
      `CREATE SERVER \`${server}\` FOREIGN DATA WRAPPER mysql OPTIONS (USER 'fed', PASSWORD '${p[5]}', HOST '127.0.0.1')`,
      `DROP SERVER \`${server}\``,
    ],
    kinds: ['CREATE USER', 'ALTER USER', 'SET PASSWORD', 'GRANT', 'DROP USER'],
  },
  ...(s.mysql8Url
    ? [
        {
          name: 'mysql8',
          url: s.mysql8Url,
          accounts: (u: string, db: string, _server: string, p: string[]) => [
            `CREATE USER ${u} IDENTIFIED WITH mysql_native_password BY '${p[0]}'`,
            `ALTER USER ${u} IDENTIFIED BY '${p[1]}'`,
            `SET PASSWORD FOR ${u} = '${p[2]}'`,
            `GRANT SELECT ON \`${db}\`.* TO ${u}`,
            `ALTER USER ${u} IDENTIFIED WITH mysql_native_password BY '${p[4]}' PASSWORD EXPIRE NEVER`,
          ],
          kinds: ['CREATE USER', 'ALTER USER', 'GRANT', 'DROP USER'],
        },
      ]
    : []),
];

/**
 * The suites below are independent (each its own databases, prefix and services) and run at once:
 * their waits overlap. Within a suite, the tests stay in order.
 */
const inOrder = { concurrent: false };

describe.concurrent.each(flavours)('secrets in statements the source logs ($name)', ({ name, url, accounts, kinds }) => {
  const db = uniqueName('iso_secret');
  const prefix = uniqueName('sec');
  const user = uniqueName('zz_sec');
  const server = uniqueName('zz_srv');
  const passwords = [1, 2, 3, 4, 5, 6, 7].map(pw);
  let capture: ServiceProcess | undefined;
  let conn: mysql.Connection | undefined;

  afterAll(async () => {
    await capture?.stop();
    await conn?.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
    await conn?.query(`DROP SERVER IF EXISTS \`${server}\``).catch(() => undefined);
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  it('reach neither the log nor the _schema_changes topic', inOrder, async () => {
    const c = await connect(url);
    conn = c;
    await c.query(`CREATE DATABASE \`${db}\``);
    await conn.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, a VARCHAR(10))`);
    capture = ownCapture(s, {
      name: `capture-secrets-${name}`,
      prefix,
      sourceUrl: url,
      include: [`${db}.*`],
      extra: { topics: { cleanupPolicy: 'delete' } },
    });
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);

    // Every password, and every hash the server stored for one (what MySQL 8 writes to its binlog).
    const secrets = [...passwords];
    const hash = async () => {
      const [rows] = (await c.query(`SELECT authentication_string AS h FROM mysql.user WHERE user = ?`, [user])) as [
        { h: string }[],
        unknown,
      ];
      for (const r of rows) if (r.h) secrets.push(r.h);
    };
    for (const sql of accounts(`'${user}'@'%'`, db, server, passwords)) {
      await conn.query(sql);
      await hash();
    }
    for (const sql of [
      // A captured table's DDL carrying a credential in a literal, and one without.
      `ALTER TABLE \`${db}\`.t COMMENT 'copy of mysql://fed:${passwords[6]}@127.0.0.1:3306/${db}/t'`,
      `ALTER TABLE \`${db}\`.t ADD COLUMN b INT`,
      `DROP USER '${user}'@'%'`,
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
    const statements = changes.map((r) => String(r.value?.statement).replace(/\s*\/\* xid=\d+ \*\/$/, ''));
    expect(statements, capture.tail()).toEqual([
      `ALTER TABLE \`${db}\`.t COMMENT 'copy of mysql://fed:[redacted]@127.0.0.1:3306/${db}/t'`,
      `ALTER TABLE \`${db}\`.t ADD COLUMN b INT`,
    ]);

    const log = capture.log();
    const topic = JSON.stringify([changes, rows], (_, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(secrets.length).toBeGreaterThan(passwords.length);
    for (const secret of secrets) {
      expect(log, `capture log holds ${secret}`).not.toContain(secret);
      expect(topic, `topics hold ${secret}`).not.toContain(secret);
    }
    // Account statements are logged by kind only; the table's DDL in full.
    for (const kind of kinds) expect(log).toContain(`"kind":"${kind}"`);
    expect(log).not.toContain(user);
    expect(log).toContain('ADD COLUMN b INT');
  });
});
