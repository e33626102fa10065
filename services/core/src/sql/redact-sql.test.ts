import { describe, expect, it } from 'vitest';
import { accountStatementKind, redactSql, statementForLog } from './redact-sql.ts';

const R = "'[redacted]'";

/** [statement, expected]: every password form of MariaDB 10.11 and MySQL 8 the binlog can carry. */
const CASES: [string, string][] = [
  // CREATE USER / ALTER USER, both servers
  ["CREATE USER 'u'@'%' IDENTIFIED BY 's3cret'", `CREATE USER 'u'@'%' IDENTIFIED BY ${R}`],
  ["create user u@localhost identified by 's3cret'", `create user u@localhost identified by ${R}`],
  [
    "CREATE OR REPLACE USER u IDENTIFIED BY PASSWORD '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9'",
    `CREATE OR REPLACE USER u IDENTIFIED BY PASSWORD ${R}`,
  ],
  [
    "CREATE USER IF NOT EXISTS 'u'@'%' IDENTIFIED BY \"s3cret\" PASSWORD EXPIRE",
    `CREATE USER IF NOT EXISTS 'u'@'%' IDENTIFIED BY "[redacted]" PASSWORD EXPIRE`,
  ],
  [
    "ALTER USER 'u'@'%' IDENTIFIED BY 'new' REPLACE 'old' RETAIN CURRENT PASSWORD",
    `ALTER USER 'u'@'%' IDENTIFIED BY ${R} REPLACE ${R} RETAIN CURRENT PASSWORD`,
  ],
  ["ALTER USER USER() IDENTIFIED BY 's3cret'", `ALTER USER USER() IDENTIFIED BY ${R}`],
  // MySQL 8 writes the hash into the binlog: IDENTIFIED WITH 'plugin' AS 'hash'
  [
    "ALTER USER 'u'@'%' IDENTIFIED WITH 'caching_sha2_password' AS '$A$005$\\Zq\\'x;y\\0' PASSWORD EXPIRE DEFAULT",
    `ALTER USER 'u'@'%' IDENTIFIED WITH 'caching_sha2_password' AS ${R} PASSWORD EXPIRE DEFAULT`,
  ],
  [
    "CREATE USER u IDENTIFIED WITH mysql_native_password BY 's3cret'",
    `CREATE USER u IDENTIFIED WITH mysql_native_password BY ${R}`,
  ],
  [
    'CREATE USER u IDENTIFIED WITH `caching_sha2_password` AS 0x24412430303524',
    `CREATE USER u IDENTIFIED WITH \`caching_sha2_password\` AS ${R}`,
  ],
  // MySQL 8.0.27 multi-factor
  [
    "CREATE USER u IDENTIFIED BY 'p1' AND IDENTIFIED WITH authentication_ldap_simple BY 'p2'",
    `CREATE USER u IDENTIFIED BY ${R} AND IDENTIFIED WITH authentication_ldap_simple BY ${R}`,
  ],
  [
    "ALTER USER u MODIFY 2 FACTOR IDENTIFIED BY 'p2'; ALTER USER u ADD 3 FACTOR IDENTIFIED WITH x BY 'p3'",
    `ALTER USER u MODIFY 2 FACTOR IDENTIFIED BY ${R}; ALTER USER u ADD 3 FACTOR IDENTIFIED WITH x BY ${R}`,
  ],
  [
    "CREATE USER u IDENTIFIED WITH authentication_fido INITIAL AUTHENTICATION IDENTIFIED BY 'p0'",
    `CREATE USER u IDENTIFIED WITH authentication_fido INITIAL AUTHENTICATION IDENTIFIED BY ${R}`,
  ],
  // MariaDB: VIA plugin USING, PASSWORD(), OR chains
  ["CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD('s3cret')", `CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD(${R})`],
  [
    "ALTER USER u IDENTIFIED VIA unix_socket OR mysql_native_password USING '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9'",
    `ALTER USER u IDENTIFIED VIA unix_socket OR mysql_native_password USING ${R}`,
  ],
  [
    "CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD('a') OR mysql_native_password USING PASSWORD ( 'b' )",
    `CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD(${R}) OR mysql_native_password USING PASSWORD ( ${R} )`,
  ],
  // GRANT ... IDENTIFIED BY (MariaDB)
  [
    "GRANT SELECT, INSERT ON `db`.* TO 'u'@'%' IDENTIFIED BY 's3cret' WITH GRANT OPTION",
    `GRANT SELECT, INSERT ON \`db\`.* TO 'u'@'%' IDENTIFIED BY ${R} WITH GRANT OPTION`,
  ],
  // SET PASSWORD, every form
  ["SET PASSWORD = PASSWORD('s3cret')", `SET PASSWORD = PASSWORD(${R})`],
  ["SET PASSWORD FOR 'u'@'%' = PASSWORD('s3cret')", `SET PASSWORD FOR 'u'@'%' = PASSWORD(${R})`],
  ["SET PASSWORD FOR 'u'@'%' = '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9'", `SET PASSWORD FOR 'u'@'%' = ${R}`],
  ["SET PASSWORD FOR u = OLD_PASSWORD('s3cret')", `SET PASSWORD FOR u = OLD_PASSWORD(${R})`],
  [
    "set password for 'u'@'h' = 's3cret' replace 'old' retain current password",
    `set password for 'u'@'h' = ${R} replace ${R} retain current password`,
  ],
  ["SET PASSWORD FOR 'u'@'%'='s3cret'", `SET PASSWORD FOR 'u'@'%'=${R}`],
  // servers and replication
  [
    "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'fed', PASSWORD 's3cret', HOST 'h', DATABASE 'db')",
    `CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'fed', PASSWORD ${R}, HOST 'h', DATABASE 'db')`,
  ],
  ["ALTER SERVER s OPTIONS (PASSWORD 's3cret')", `ALTER SERVER s OPTIONS (PASSWORD ${R})`],
  [
    "CHANGE MASTER TO MASTER_HOST='h', MASTER_USER='r', MASTER_PASSWORD='s3cret', MASTER_USE_GTID=slave_pos",
    `CHANGE MASTER TO MASTER_HOST='h', MASTER_USER='r', MASTER_PASSWORD=${R}, MASTER_USE_GTID=slave_pos`,
  ],
  [
    "CHANGE REPLICATION SOURCE TO SOURCE_USER='r', SOURCE_PASSWORD = 's3cret'",
    `CHANGE REPLICATION SOURCE TO SOURCE_USER='r', SOURCE_PASSWORD = ${R}`,
  ],
  ["START REPLICA USER='r' PASSWORD='s3cret'", `START REPLICA USER='r' PASSWORD=${R}`],
  ["START GROUP_REPLICATION USER='r', PASSWORD='s3cret'", `START GROUP_REPLICATION USER='r', PASSWORD=${R}`],
  // secrets inside other literals
  [
    "CREATE TABLE t (id INT) ENGINE=FEDERATED CONNECTION='mysql://fed:s3cret@remote:3306/db/t'",
    "CREATE TABLE t (id INT) ENGINE=FEDERATED CONNECTION='mysql://fed:[redacted]@remote:3306/db/t'",
  ],
  [
    "CREATE TABLE t (id INT) ENGINE=CONNECT TABLE_TYPE=ODBC CONNECTION='DSN=x;UID=u;PWD=s3cret' OPTION_LIST='user=u,password=s3cret'",
    "CREATE TABLE t (id INT) ENGINE=CONNECT TABLE_TYPE=ODBC CONNECTION='DSN=x;UID=u;PWD=[redacted]' OPTION_LIST='user=u,password=[redacted]'",
  ],
  ["CREATE TABLE t AS SELECT AES_DECRYPT(c, 'k3y') AS c FROM s", `CREATE TABLE t AS SELECT AES_DECRYPT(c, ${R}) AS c FROM s`],
  // quoting: escaped and doubled quotes, introducers, newlines, comments, executable comments
  ["CREATE USER u IDENTIFIED BY 'it''s s3cret'", `CREATE USER u IDENTIFIED BY ${R}`],
  ["CREATE USER u IDENTIFIED BY 'it\\'s s3cret'", `CREATE USER u IDENTIFIED BY ${R}`],
  ['CREATE USER u IDENTIFIED BY "say ""s3cret"""', 'CREATE USER u IDENTIFIED BY "[redacted]"'],
  ["CREATE USER u IDENTIFIED BY _utf8mb4's3cret'", `CREATE USER u IDENTIFIED BY _utf8mb4${R}`],
  [
    "CREATE USER u IDENTIFIED BY _utf8mb4 's3cret' COLLATE utf8mb4_bin",
    `CREATE USER u IDENTIFIED BY _utf8mb4 ${R} COLLATE utf8mb4_bin`,
  ],
  ["CREATE USER u\n  IDENTIFIED\n\tBY\r\n's3cret'", `CREATE USER u\n  IDENTIFIED\n\tBY\r\n${R}`],
  ["CREATE USER u IDENTIFIED /* why */ BY -- note\n 's3cret'", `CREATE USER u IDENTIFIED /* why */ BY -- note\n ${R}`],
  ["CREATE USER u IDENTIFIED # c\nBY 's3cret'", `CREATE USER u IDENTIFIED # c\nBY ${R}`],
  ["/*!80000 CREATE USER u IDENTIFIED BY 's3cret' */", `/*!80000 CREATE USER u IDENTIFIED BY ${R} */`],
  ["/*M!100100 SET PASSWORD FOR u = PASSWORD('s3cret')*/", `/*M!100100 SET PASSWORD FOR u = PASSWORD(${R})*/`],
  ["CREATE USER u IDENTIFIED BY 'never closed", `CREATE USER u IDENTIFIED BY ${R}`],
];

/** Statements that carry no secret stay exactly as written. */
const UNTOUCHED = [
  "CREATE TABLE t (id INT PRIMARY KEY, password VARCHAR(64) DEFAULT 'x' COMMENT 'identified by') ENGINE=InnoDB",
  "ALTER TABLE t ADD COLUMN c ENUM('BY','AS') DEFAULT 'AS', ORDER BY id",
  "CREATE VIEW v AS SELECT 'a' AS 'b' FROM t GROUP BY 'a'",
  "/* IDENTIFIED BY 'x' */ CREATE TABLE t (id INT)",
  'CREATE TABLE t (a INT) PARTITION BY RANGE (a) (PARTITION p0 VALUES LESS THAN (10))',
  "LOAD DATA INFILE 'f' INTO TABLE t FIELDS TERMINATED BY ',' ENCLOSED BY '\"'",
  "CREATE USER u IDENTIFIED VIA unix_socket COMMENT 'ops' REQUIRE SUBJECT '/CN=u'",
  "CREATE TABLE `名前表` (`é` INT COMMENT 'http://example.com/x')",
];

describe('redactSql', () => {
  it.each(CASES)('%s', (sql, expected) => {
    const out = redactSql(sql);
    expect(out).toBe(expected);
    for (const secret of ['s3cret', 'k3y', 'p0', 'p1', 'p2', 'p3', '6BB4837E', '$A$005', '0x2441']) {
      if (sql.includes(secret)) expect(out).not.toContain(secret);
    }
  });

  it.each(UNTOUCHED)('keeps %s', (sql) => {
    expect(redactSql(sql)).toBe(sql);
  });
});

describe('accountStatementKind', () => {
  it.each([
    ["CREATE USER 'u'@'%' IDENTIFIED BY 'x'", 'CREATE USER'],
    ['create or replace user u', 'CREATE USER'],
    ['/* c */ ALTER USER u ACCOUNT LOCK', 'ALTER USER'],
    ['GRANT SELECT ON db.* TO u', 'GRANT'],
    ['REVOKE ALL ON *.* FROM u', 'REVOKE'],
    ["SET PASSWORD FOR u = 'x'", 'SET PASSWORD'],
    ['DROP USER IF EXISTS u', 'DROP USER'],
    ['RENAME USER a TO b', 'RENAME USER'],
    ['CREATE ROLE r', 'CREATE ROLE'],
    ['SET DEFAULT ROLE r FOR u', 'SET DEFAULT ROLE'],
    ["CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (PASSWORD 'x')", 'CREATE SERVER'],
    ["CHANGE MASTER TO MASTER_PASSWORD='x'", 'CHANGE MASTER'],
    ["CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='x'", 'CHANGE REPLICATION'],
    ["/*!80000 START REPLICA USER='r' PASSWORD='x' */", 'START REPLICA'],
  ])('%s is %s', (sql, kind) => {
    expect(accountStatementKind(sql)).toBe(kind);
  });

  it.each([
    'CREATE TABLE user (id INT)',
    'ALTER TABLE users ADD c INT',
    'DROP TABLE `user`',
    'CREATE OR REPLACE TABLE t (a INT)',
  ])('%s is not one', (sql) => {
    expect(accountStatementKind(sql)).toBeUndefined();
  });
});

describe('statementForLog', () => {
  it('gives only the kind of an account statement, the redacted text of any other, cut to size', () => {
    expect(statementForLog("GRANT ALL ON *.* TO u IDENTIFIED BY 's3cret'")).toEqual({ kind: 'GRANT' });
    expect(statementForLog("CREATE TABLE t (a INT) CONNECTION='mysql://u:s3cret@h/d/t'")).toEqual({
      statement: "CREATE TABLE t (a INT) CONNECTION='mysql://u:[redacted]@h/d/t'",
    });
    expect(statementForLog(`ALTER TABLE t COMMENT '${'x'.repeat(300)}'`, 20)).toEqual({ statement: 'ALTER TABLE t COMMEN…' });
  });
});
