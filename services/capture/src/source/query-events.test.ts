import { BinlogPosition } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { SourceEvent } from './binlog-reader.ts';
import { type QueryEvent, QueryEvents } from './query-events.ts';

const at = new BinlogPosition('binlog.000001', 100);
const next = new BinlogPosition('binlog.000001', 200);
const ev = (query: string, thread = 7, database = 'shop'): QueryEvent => ({
  query,
  database,
  thread,
  gtid: '0-1-5',
  ts_ms: 1,
  at,
  next,
  ddlPosition: () => next.withGtidSet('0-1-5'),
});
const kinds = (out: SourceEvent[]) =>
  out.map((e) => (e.kind === 'statement' ? `statement ${e.verb} ${e.tables.map((t) => `${t.database}.${t.table}`)}` : e.kind));

/** Captures shop.* except shop.log. */
const events = () => new QueryEvents((db, t) => db === 'shop' && t !== 'log');

describe('QueryEvents', () => {
  it('passes transaction control and DDL on, and keeps SAVEPOINTs inside their transaction', () => {
    const q = events();
    expect(kinds(q.read(ev('BEGIN')))).toEqual(['begin']);
    expect(kinds(q.read(ev('SAVEPOINT `sp1`')))).toEqual([]);
    expect(kinds(q.read(ev('ROLLBACK TO SAVEPOINT `sp1`')))).toEqual([]);
    expect(kinds(q.read(ev('COMMIT')))).toEqual(['commit']);
    expect(kinds(q.read(ev('ALTER TABLE t ADD c INT')))).toEqual(['ddl']);
  });

  it('redacts the DDL text it passes on', () => {
    const [ddl] = events().read(ev("CREATE USER 'u'@'%' IDENTIFIED BY 's3cret'"));
    expect(ddl?.kind === 'ddl' && ddl.query).toBe("CREATE USER 'u'@'%' IDENTIFIED BY '[redacted]'");
    expect(ddl?.kind === 'ddl' && ddl.position.gtidSet).toBe('0-1-5');
  });

  it('reports DML statements on captured tables only, at the start of the event', () => {
    const q = events();
    const [s] = q.read(ev("UPDATE orders SET v = 'x'"));
    expect(s).toEqual({
      kind: 'statement',
      verb: 'update',
      tables: [{ database: 'shop', table: 'orders' }],
      unnamed: false,
      at,
      gtid: '0-1-5',
      ts_ms: 1,
    });
    expect(q.read(ev('INSERT INTO log VALUES (1)'))).toEqual([]);
    expect(q.read(ev('INSERT INTO other.t VALUES (1)'))).toEqual([]);
    expect(kinds(q.read(ev('DELETE l, o FROM log l JOIN orders o ON l.id = o.id')))).toEqual(['statement delete shop.orders']);
    expect(kinds(q.read(ev('SELECT f()')))).toEqual(['statement call ']);
  });

  it('reports a CREATE TABLE ... SELECT logged as a statement before passing the DDL on', () => {
    expect(kinds(events().read(ev('CREATE TABLE c2 SELECT * FROM orders')))).toEqual(['statement create shop.c2', 'ddl']);
  });

  it("takes a session's statements on its temporary table for what they are", () => {
    const q = events();
    // Session 7 hides shop.orders behind a temporary table of the same name.
    expect(q.read(ev('CREATE TEMPORARY TABLE orders (id INT)'))).toEqual([]);
    expect(q.read(ev('INSERT INTO orders VALUES (1)'))).toEqual([]);
    expect(q.read(ev('TRUNCATE TABLE orders'))).toEqual([]);
    // ...which session 8 does not see, and INSERT ... SELECT from it still writes a real table.
    expect(kinds(q.read(ev('INSERT INTO orders VALUES (1)', 8)))).toEqual(['statement insert shop.orders']);
    expect(kinds(q.read(ev('INSERT INTO items SELECT * FROM orders')))).toEqual(['statement insert shop.items']);
    // The server drops it when the session ends; the real table is the real table again.
    expect(q.read(ev('DROP /*!40005 TEMPORARY */ TABLE IF EXISTS `orders`'))).toEqual([]);
    expect(kinds(q.read(ev('INSERT INTO orders VALUES (1)')))).toEqual(['statement insert shop.orders']);
    expect(kinds(q.read(ev('TRUNCATE TABLE orders')))).toEqual(['ddl']);
  });
});
