import { describe, expect, it } from 'vitest';
import {
  clearPending,
  ddlId,
  decisionFromRow,
  recordDecision,
  recordFailure,
  recordHold,
  selectDecision,
  selectDecisions,
  selectOpen,
} from './ddl-decisions.ts';
import { RejectedStatement, rejectionMessage, stopsSink, tableArg } from './ddl-rejection.ts';
import { checkReplacement } from './ddl-replacement.ts';

const T = { database: 'shop', table: 'orders' };
const LAYOUT = JSON.stringify(['shop', 'orders', [['id', 'int(11)', false]], {}]);

describe('DDL decision identity', () => {
  it('is the target table plus the source layout: the same after a restart or replay, another for another layout or table', () => {
    const id = ddlId(T, LAYOUT);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(ddlId({ ...T }, `${LAYOUT}`)).toBe(id);
    expect(ddlId(T, LAYOUT.replace('int(11)', 'bigint(20)'))).not.toBe(id);
    expect(ddlId({ database: 'shop', table: 'orders2' }, LAYOUT)).not.toBe(id);
    // Names are not concatenated ambiguously: db "a.b" + table "c" differs from db "a" + table "b.c".
    expect(ddlId({ database: 'a.b', table: 'c' }, LAYOUT)).not.toBe(ddlId({ database: 'a', table: 'b.c' }, LAYOUT));
  });
});

describe('DDL decision lookup', () => {
  it('looks a decision up by sink, target table and change id, with parameters only', () => {
    const st = selectDecision('_sluice', 'tidb-a', T, 'abc');
    expect(st.sql).toContain(
      'FROM `_sluice`.`ddl_decisions` WHERE sink = ? AND target_db = ? AND target_table = ? AND ddl_id = ?',
    );
    expect(st.params).toEqual(['tidb-a', 'shop', 'orders', 'abc']);
    expect(selectDecisions('_s', 'x', T).params).toEqual(['x', 'shop', 'orders']);
    expect(selectDecisions('_s', 'x').params).toEqual(['x']);
  });

  it('a failure never overwrites an operator decision, a decision replaces a pending row and runs anew', () => {
    const f = recordFailure('_sluice', {
      sink: 's',
      target: T,
      ddlId: 'abc',
      statements: ['ALTER TABLE `shop`.`orders` DROP COLUMN `x`'],
      error: 'boom',
      sourceTable: 'shop.orders_0',
      sourcePosition: 'bin.000001:4',
    });
    expect(f.sql).toContain("'pending'");
    expect(f.sql).toContain("statements = IF(action = 'pending', VALUES(statements), statements)");
    expect(f.sql).not.toMatch(/UPDATE action/);
    expect(f.params[4]).toBe('["ALTER TABLE `shop`.`orders` DROP COLUMN `x`"]');
    const d = recordDecision('_sluice', {
      sink: 's',
      target: T,
      ddlId: 'abc',
      action: 'replace',
      statements: ['ALTER 1'],
      decidedBy: 'me@host',
    });
    expect(d.sql).toContain('action = VALUES(action)');
    expect(d.sql).toContain('applied_at = NULL');
    // Only a stop or a hold is cleared by the sink, never the operator's decision.
    expect(clearPending('_sluice', 's', T, 'abc').sql).toContain("action IN ('pending', 'held')");
    const h = recordHold('_sluice', {
      sink: 's',
      target: T,
      ddlId: 'abc',
      message: 'm',
      sourceTable: 'shop.o_0',
      sourcePosition: null,
    });
    expect(h.sql).toContain("'held'");
    expect(h.sql).toContain("error = IF(action = 'held', VALUES(error), error)");
    expect(h.sql).not.toMatch(/UPDATE action|action = VALUES/);
    expect(selectOpen('_sluice', 's').sql).toContain("action IN ('pending', 'held')");
  });

  it('reads a row back; an unknown action counts as pending, broken statements as none', () => {
    const row = {
      sink: 's',
      target_db: 'shop',
      target_table: 'orders',
      ddl_id: 'abc',
      action: 'replace',
      statements: '["ALTER TABLE t ADD x INT"]',
      error: null,
      source_table: 'shop.orders',
      source_position: 'f:1',
      decided_by: 'me',
      failed_at: new Date('2026-01-01T00:00:00Z'),
      decided_at: null,
      applied_at: null,
    };
    const d = decisionFromRow(row);
    expect(d).toMatchObject({ action: 'replace', statements: ['ALTER TABLE t ADD x INT'], failedAt: '2026-01-01T00:00:00.000Z' });
    expect(decisionFromRow({ ...row, action: '?', statements: 'not json' })).toMatchObject({ action: 'pending', statements: [] });
    expect(decisionFromRow({ ...row, action: 'held' }).action).toBe('held');
  });
});

describe('the stop message', () => {
  const failed = new RejectedStatement(
    'ALTER TABLE `shop`.`orders` RENAME COLUMN `a` TO `b`',
    { errno: 1054, sqlMessage: "Unknown column 'a' in 'orders'" },
    'x',
  );
  const message = rejectionMessage({
    sink: 'tidb-a',
    target: T,
    source: { database: 'shop', table: 'orders' },
    position: 'mariadb-bin.000003:1234',
    ddlId: '0123456789abcdef',
    statements: [failed.sql],
    failed,
  });

  it('names the sink, tables, position, id, statement and the target error, and the two commands', () => {
    expect(message).toContain('sink tidb-a: target table shop.orders cannot follow source table shop.orders');
    expect(message).toContain('(change at mariadb-bin.000003:1234)');
    expect(message).toContain('DDL 0123456789abcdef');
    expect(message).toContain(
      "ALTER TABLE `shop`.`orders` RENAME COLUMN `a` TO `b` failed: Unknown column 'a' in 'orders' (1054)",
    );
    expect(message).toContain("sluice ddl skip --sink tidb-a --table 'shop.orders' --id 0123456789abcdef");
    expect(message).toContain("sluice ddl replace --sink tidb-a --table 'shop.orders' --id 0123456789abcdef --sql");
    expect(failed.code).toBe('DDL_REJECTED');
    expect(failed.retriable).toBe(false);
    expect(stopsSink(failed)).toBe(true);
  });

  it('never carries a secret of a statement', () => {
    const secret = new RejectedStatement("ALTER TABLE t ADD c VARCHAR(99) DEFAULT 'mysql://u:hunter2@h/'", {}, 'refused');
    const m = rejectionMessage({
      sink: 's',
      target: T,
      source: undefined,
      position: undefined,
      ddlId: 'i',
      statements: [secret.sql],
      failed: secret,
    });
    expect(m).not.toContain('hunter2');
  });

  it('quotes table names the CLI would not read plainly', () => {
    expect(tableArg({ database: 'a.b', table: 'c`d' })).toBe('`a.b`.`c``d`');
    expect(tableArg(T)).toBe('shop.orders');
  });
});

describe('replacement statements', () => {
  it('takes one table statement as written, without its trailing semicolon', () => {
    expect(checkReplacement('  ALTER TABLE t ADD COLUMN c INT; ')).toBe('ALTER TABLE t ADD COLUMN c INT');
    expect(checkReplacement("alter table t add c varchar(5) default ';'")).toBe("alter table t add c varchar(5) default ';'");
  });

  it('takes the row statements that stand in for a partition statement', () => {
    expect(checkReplacement('DELETE FROM t WHERE id < 10')).toBe('DELETE FROM t WHERE id < 10');
    expect(checkReplacement('INSERT INTO x SELECT * FROM t')).toBe('INSERT INTO x SELECT * FROM t');
  });

  it('refuses several statements, non-DDL and account statements', () => {
    expect(() => checkReplacement('ALTER TABLE t ADD c INT; DROP TABLE u')).toThrow(/more than one statement/);
    expect(() => checkReplacement('SELECT 1')).toThrow(/table statement/);
    expect(() => checkReplacement('SET GLOBAL read_only = 1')).toThrow(/table statement/);
    expect(() => checkReplacement("CREATE USER x IDENTIFIED BY 'p'")).toThrow(/table statement/);
    expect(() => checkReplacement(' ; ')).toThrow(/empty/);
  });
});
