import { describe, expect, it } from 'vitest';
import { classifyQuery } from './query-statement.ts';

const tables = (sql: string) => {
  const c = classifyQuery(sql, 'cur');
  return c.kind === 'dml' ? { verb: c.verb, tables: c.tables.map((t) => `${t.database}.${t.table}`), unnamed: c.unnamed } : c;
};

describe('classifyQuery: transaction control', () => {
  it.each([
    ['BEGIN', 'begin'],
    ['  begin ', 'begin'],
    ['XA START 0x31', 'ddl'],
    ['COMMIT', 'commit'],
    ['COMMIT /* implicit */', 'commit'],
    // Non-transactional changes logged before a ROLLBACK did happen.
    ['ROLLBACK', 'commit'],
    ['SAVEPOINT `sp1`', 'savepoint'],
    ['ROLLBACK TO SAVEPOINT `sp1`', 'savepoint'],
    ['ROLLBACK TO sp1', 'savepoint'],
    ['RELEASE SAVEPOINT sp1', 'savepoint'],
    ['ALTER TABLE t ADD c INT', 'ddl'],
    ["CREATE USER u IDENTIFIED BY 'x'", 'ddl'],
    ['TRUNCATE TABLE t', 'ddl'],
  ])('%s is %s', (sql, kind) => {
    expect(classifyQuery(sql, 'cur').kind).toBe(kind);
  });
});

describe('classifyQuery: DML written as statements', () => {
  it.each([
    ["INSERT INTO t VALUES (1, 'a')", 'insert', ['cur.t']],
    ['insert low_priority ignore into `shop`.`orders` (id) values (1)', 'insert', ['shop.orders']],
    ['INSERT t SET a = 1', 'insert', ['cur.t']],
    ['INSERT INTO shop . items PARTITION (p0) VALUE (1)', 'insert', ['shop.items']],
    ['INSERT INTO t (a) SELECT a FROM other.s JOIN x ON 1 = 1', 'insert', ['cur.t']],
    ['INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)', 'insert', ['cur.t']],
    ['REPLACE DELAYED INTO `my db`.`it``s` VALUES (1)', 'replace', ['my db.it`s']],
    ['INSERT INTO 名前表 VALUES (1)', 'insert', ['cur.名前表']],
    ['INSERT INTO `名前 表` VALUES (1)', 'insert', ['cur.名前 表']],
    ['UPDATE t SET a = 1 WHERE id = 2', 'update', ['cur.t']],
    ['UPDATE LOW_PRIORITY IGNORE s.t AS x SET x.a = 1', 'update', ['s.t']],
    // multi-table: the tables whose columns SET assigns
    ['UPDATE a JOIN b ON a.id = b.id SET a.v = b.v', 'update', ['cur.a']],
    ['UPDATE a x, s.b y SET y.v = x.v, y.w = 2 WHERE x.id IN (1, 2)', 'update', ['s.b']],
    ['UPDATE a, b SET a.v = 1, b.v = 2', 'update', ['cur.a', 'cur.b']],
    ['UPDATE s.a, s.b SET s.b.v = 1', 'update', ['s.b']],
    // an unqualified column may belong to any of them
    ['UPDATE a, b SET v = 1', 'update', ['cur.a', 'cur.b']],
    ['UPDATE a LEFT JOIN (SELECT id FROM c) d USING (id) SET a.v = 0', 'update', ['cur.a']],
    ['UPDATE (a JOIN b ON a.i = b.i) SET b.v = 0', 'update', ['cur.b']],
    ['DELETE FROM t WHERE id = 1', 'delete', ['cur.t']],
    ['DELETE LOW_PRIORITY QUICK IGNORE FROM s.t WHERE 1', 'delete', ['s.t']],
    ['DELETE FROM t AS a WHERE a.id = 1', 'delete', ['cur.t']],
    ['DELETE x, y.* FROM a AS x JOIN s.b y ON x.id = y.id', 'delete', ['cur.a', 's.b']],
    ['DELETE a FROM a JOIN b ON a.id = b.id', 'delete', ['cur.a']],
    ['DELETE FROM x, y USING a x JOIN s.b AS y WHERE x.id = y.id', 'delete', ['cur.a', 's.b']],
    ['DELETE FROM t RETURNING id', 'delete', ['cur.t']],
    [
      "LOAD DATA LOCAL INFILE '/tmp/x INTO TABLE y' IGNORE INTO TABLE `t` FIELDS TERMINATED BY '\\t' (`id`, `v`)",
      'load',
      ['cur.t'],
    ],
    ["LOAD XML INFILE 'f.xml' REPLACE INTO TABLE s.t ROWS IDENTIFIED BY '<r>'", 'load', ['s.t']],
    // comments, leading whitespace, executable comments, CTEs, SET STATEMENT
    ['  /* app=x */\n\t-- note\n INSERT INTO t VALUES (1)', 'insert', ['cur.t']],
    ['# why\nUPDATE t SET a = 1', 'update', ['cur.t']],
    ['/*!40000 INSERT INTO t VALUES (1) */', 'insert', ['cur.t']],
    ['/*!80013 DELETE */ FROM t', 'delete', ['cur.t']],
    ['WITH c AS (SELECT 1 AS id) DELETE t FROM t JOIN c ON t.id = c.id', 'delete', ['cur.t']],
    [
      'WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3) UPDATE t JOIN c ON t.id = c.n SET t.v = 0',
      'update',
      ['cur.t'],
    ],
    ['SET STATEMENT max_statement_time = 10 FOR INSERT INTO t VALUES (1)', 'insert', ['cur.t']],
  ])('%s', (sql, verb, written) => {
    expect(tables(sql)).toEqual({ verb, tables: written, unnamed: false });
  });

  it('knows that a stored function call writes tables it cannot name', () => {
    expect(tables('SELECT `cur`.`f`(1)')).toEqual({ verb: 'call', tables: [], unnamed: true });
    expect(tables('DO f()')).toEqual({ verb: 'call', tables: [], unnamed: true });
  });
});

describe('classifyQuery: temporary tables', () => {
  it.each([
    ['CREATE TEMPORARY TABLE tmp (id INT)', 'create', ['cur.tmp']],
    ['CREATE OR REPLACE TEMPORARY TABLE IF NOT EXISTS s.tmp AS SELECT 1', 'create', ['s.tmp']],
    ['DROP TEMPORARY TABLE IF EXISTS tmp, s.tmp2', 'drop', ['cur.tmp', 's.tmp2']],
    // what the server writes when a session with temporary tables ends
    ['DROP /*!40005 TEMPORARY */ TABLE IF EXISTS `tmp`', 'drop', ['cur.tmp']],
  ])('%s', (sql, action, named) => {
    const c = classifyQuery(sql, 'cur');
    expect(c.kind === 'temporary' && { action: c.action, tables: c.tables.map((t) => `${t.database}.${t.table}`) }).toEqual({
      action,
      tables: named,
    });
  });
});

describe('classifyQuery: CREATE TABLE', () => {
  it('says that a CREATE TABLE ... SELECT logged as a statement writes its table', () => {
    expect(classifyQuery('CREATE TABLE c2 (PRIMARY KEY (id)) SELECT * FROM t', 'cur')).toEqual({
      kind: 'ddl',
      writes: [{ database: 'cur', table: 'c2' }],
    });
    expect(classifyQuery('create or replace table if not exists s.c AS (select 1)', 'cur')).toEqual({
      kind: 'ddl',
      writes: [{ database: 's', table: 'c' }],
    });
  });

  it('leaves the plain definition the server logs with ROW alone', () => {
    expect(classifyQuery('CREATE TABLE `c1` (\n  `id` int(11) NOT NULL\n)', 'cur')).toEqual({ kind: 'ddl' });
    expect(classifyQuery("CREATE TABLE t (a INT COMMENT 'select')", 'cur')).toEqual({ kind: 'ddl' });
    expect(classifyQuery('BEGIN NOT ATOMIC SELECT 1; END', 'cur')).toEqual({ kind: 'ddl' });
  });
});
