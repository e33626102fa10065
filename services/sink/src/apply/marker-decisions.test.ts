import { createLogger, SluiceError } from '@sluice/core';
import type { Pool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { MarkerDecisions, type MarkerRefusal, markerDdlId, renameDdlId, renameWaitDdlId } from './marker-decisions.ts';
import { RenameWaits } from './rename-waits.ts';

const T = { database: 'shop', table: 'orders' };

/** A pool that answers the decisions table from memory: enough to follow what the sink records. */
function fakePool(decision?: Record<string, unknown>) {
  const ran: { sql: string; params: unknown[] }[] = [];
  const pool = {
    query: async (sql: string, params: unknown[] = []) => {
      ran.push({ sql, params });
      if (/^SELECT .* FROM `_sluice`\.`ddl_decisions`/s.test(sql)) return [decision ? [decision] : []];
      return [[]];
    },
  } as unknown as Pool;
  return { pool, ran };
}
const row = (action: string, statements: string[] = [], applied: string | null = null) => ({
  sink: 's',
  target_db: T.database,
  target_table: T.table,
  ddl_id: 'x',
  action,
  statements: JSON.stringify(statements),
  decided_by: 'op@host',
  applied_at: applied,
});
const refusal: MarkerRefusal = {
  code: 'PARTITION_DDL_UNSUPPORTED',
  target: T,
  id: markerDdlId(T, 'bin.000001:400', 'ALTER TABLE orders TRUNCATE PARTITION p0'),
  statement: 'ALTER TABLE orders TRUNCATE PARTITION p0',
  why: 'it is not partitioned',
  what: 'a partition statement',
  position: 'bin.000001:400',
};
const log = createLogger('test', 'silent');

describe('decision ids of DDL markers', () => {
  it('are the same for the same marker (any Kafka partition, any replay), another for another statement, position or table', () => {
    const id = markerDdlId(T, 'bin.000001:400', 'ALTER TABLE orders TRUNCATE PARTITION p0');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(markerDdlId({ ...T }, 'bin.000001:400', 'ALTER TABLE orders TRUNCATE PARTITION p0')).toBe(id);
    expect(markerDdlId(T, 'bin.000001:900', 'ALTER TABLE orders TRUNCATE PARTITION p0')).not.toBe(id);
    expect(markerDdlId(T, 'bin.000001:400', 'ALTER TABLE orders TRUNCATE PARTITION p1')).not.toBe(id);
    expect(
      markerDdlId({ database: 'shop', table: 'items' }, 'bin.000001:400', 'ALTER TABLE orders TRUNCATE PARTITION p0'),
    ).not.toBe(id);
  });

  it('of a rename is its pair under the new name, never a partition statement id', () => {
    const id = renameDdlId(T, 'bin.000001:400#0');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(renameDdlId(T, 'bin.000001:400#0')).toBe(id);
    expect(renameDdlId(T, 'bin.000001:400#1')).not.toBe(id);
    expect(markerDdlId(T, 'bin.000001:400', '#0')).not.toBe(id);
    // The new name's wait for it is decided apart: a decision on the refused rename does not release the wait.
    expect(renameWaitDdlId(T, 'bin.000001:400#0')).not.toBe(id);
  });
});

describe('MarkerDecisions', () => {
  it('without a decision records the refusal as pending (code first) and stops with the code, the id and the ways on', async () => {
    const { pool, ran } = fakePool();
    const d = new MarkerDecisions({ pool, schema: '_sluice', sink: 's', log });
    const err = await d.refused(refusal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).code).toBe('PARTITION_DDL_UNSUPPORTED');
    expect((err as Error).message).toContain(
      `DDL ${refusal.id}): ALTER TABLE orders TRUNCATE PARTITION p0: it is not partitioned`,
    );
    expect((err as Error).message).toContain(`sluice ddl skip --sink s --table 'shop.orders' --id ${refusal.id}`);
    expect((err as Error).message).toContain(`sluice ddl replace --sink s --table 'shop.orders' --id ${refusal.id} --sql`);
    const insert = ran.find((r) => r.sql.startsWith('INSERT INTO `_sluice`.`ddl_decisions`'));
    expect(insert?.params).toContain('PARTITION_DDL_UNSUPPORTED: it is not partitioned');
    expect(insert?.params).toContain(refusal.id);
    expect(insert?.params).toContain('bin.000001:400');
  });

  it('with skip goes on, running nothing', async () => {
    const { pool, ran } = fakePool(row('skip'));
    const d = new MarkerDecisions({ pool, schema: '_sluice', sink: 's', log });
    expect(await d.refused(refusal)).toBe('skip');
    expect(ran.filter((r) => !/CREATE|SELECT/.test(r.sql))).toEqual([]);
  });

  it('with replace runs the operator statements once, then marks them applied', async () => {
    const { pool, ran } = fakePool(row('replace', ['DELETE FROM shop.orders WHERE id < 10']));
    const d = new MarkerDecisions({ pool, schema: '_sluice', sink: 's', log });
    expect(await d.refused(refusal)).toBe('replace');
    const rest = ran.filter((r) => !/^(CREATE|SELECT)/.test(r.sql)).map((r) => r.sql.slice(0, 30));
    expect(rest).toEqual(['DELETE FROM shop.orders WHERE ', 'UPDATE `_sluice`.`ddl_decision']);
    const again = fakePool(row('replace', ['DELETE FROM shop.orders WHERE id < 10'], '2026-01-01'));
    await new MarkerDecisions({ pool: again.pool, schema: '_sluice', sink: 's', log }).refused(refusal);
    expect(again.ran.some((r) => r.sql.startsWith('DELETE'))).toBe(false);
  });
});

describe('RenameWaits', () => {
  const to = { database: 'shop', table: 'orders2' };
  const from = { database: 'shop', table: 'orders' };
  const fakes = (decision?: Record<string, unknown>, done = false) => {
    const calls: string[] = [];
    const { pool, ran } = fakePool(decision);
    const decisions = new MarkerDecisions({ pool, schema: '_sluice', sink: 's', log });
    const actions = {
      renameDone: async () => done,
      renameSkipped: async (id: string) => {
        calls.push(`skipped ${id}`);
      },
    };
    return { waits: new RenameWaits({ actions, decisions, sink: 's', log }), calls, ran };
  };

  it('a rename done clears a held row an earlier run of the sink may have left', async () => {
    const f = fakes(undefined, true);
    expect(await f.waits.done('b:4#0', to)).toBe(true);
    const del = f.ran.find((r) => r.sql.startsWith('DELETE FROM `_sluice`.`ddl_decisions`'));
    expect(del?.params).toContain(renameWaitDdlId(to, 'b:4#0'));
  });

  it('a rename not done and not decided keeps waiting', async () => {
    const f = fakes();
    expect(await f.waits.done('b:4#0', to)).toBe(false);
    expect(f.calls).toEqual([]);
  });

  it('a skipped rename is noted done without renaming: the new name goes on', async () => {
    const f = fakes(row('skip'));
    expect(await f.waits.done('b:4#0', to)).toBe(true);
    expect(f.calls).toEqual(['skipped b:4#0']);
  });

  it('an overdue wait is held in the decisions table naming both tables, the id and the way out', async () => {
    const f = fakes();
    await f.waits.overdue({ id: 'b:4#0', to, from }, { topic: 'p.shop.orders2', partition: 1, offset: '7', waitingSeconds: 300 });
    const held = f.ran.find((r) => r.sql.includes("'held'"));
    const message = String(held?.params[4]);
    expect(message).toMatch(
      /^RENAME_NOT_APPLIED: sink s: rows of shop.orders2 wait for the rename of shop.orders to shop.orders2/,
    );
    expect(message).toContain(`sluice ddl skip --sink s --table 'shop.orders2' --id ${renameWaitDdlId(to, 'b:4#0')}`);
    expect(held?.params).toContain('shop.orders');
  });
});
