import { createLogger } from '@sluice/core';
import type { Pool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { TableActions } from './table-actions.ts';

/**
 * The markers table of `_sluice.ddl_markers` held in memory: the two statements a barrier's
 * arrival runs (note with INSERT IGNORE, read its parts), each answering on a later tick, so that
 * parallel workers interleave as they do against a real target.
 */
function markersPool(): Pool {
  const rows: { id: string; db: string; tbl: string; part: number }[] = [];
  const tick = () => new Promise((r) => setImmediate(r));
  const execute = async (sql: string, p: (string | number | null)[]) => {
    await tick();
    if (sql.startsWith('INSERT IGNORE INTO')) {
      const [id, db, tbl, part] = p as [string, string, string, number];
      if (!rows.some((r) => r.id === id && r.db === db && r.tbl === tbl && r.part === part)) rows.push({ id, db, tbl, part });
      return [{ affectedRows: 1 }];
    }
    if (sql.startsWith('SELECT part FROM')) {
      const [id, db, tbl] = p as [string, string, string];
      return [rows.filter((r) => r.id === id && r.db === db && r.tbl === tbl).map((r) => ({ part: r.part }))];
    }
    throw new Error(`unexpected statement ${sql}`);
  };
  const query = async () => {
    await tick();
    return [[]];
  };
  return { execute, query } as unknown as Pool;
}

describe('TableActions barriers under parallel workers', () => {
  const t = { id: 'd.t', database: 'd', table: 't' };
  const actions = () =>
    new TableActions({
      pool: markersPool(),
      log: createLogger('test', 'silent'),
      schema: '_sluice',
      ddl: 'apply',
      guard: async () => false,
      forget: () => undefined,
    });

  it('the last two markers of one barrier reached at once: exactly one runs the statement', async () => {
    const a = actions();
    const arrive = (at: number) => a.barrierArrived({ id: 'b1', partitions: 2, at }, t);
    const both = await Promise.all([arrive(0), arrive(1)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    // Until it is released (committed or failed), a replayed arrival does not run it either.
    expect(await arrive(1)).toBe(false);
    a.release('b1');
    expect(await arrive(1)).toBe(true);
  });

  it('another barrier is not held by one that runs', async () => {
    const a = actions();
    await a.barrierArrived({ id: 'b1', partitions: 1, at: 0 }, t);
    expect(await a.barrierArrived({ id: 'b2', partitions: 1, at: 0 }, t)).toBe(true);
  });
});
