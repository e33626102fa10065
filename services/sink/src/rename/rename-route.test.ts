import { BARRIER_HEADER, RENAME_HEADER } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { TargetChange } from '../decode/change-decoder.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { planBatch } from '../plan/batch-plan.ts';
import { Router } from '../route/router.ts';
import { waitAfter, waitBefore } from './rename-gate.ts';
import { withRename } from './rename-route.ts';

const table = { database: 'd', table: 'a', columns: [], key: [], keyIndexes: [], id: 'x' } as TargetTable;
const marker: TargetChange = { kind: 'schema', table, sourceTsMs: 0, position: 'p', version: '1', query: 'RENAME TABLE a TO b' };
const header = (role: 'from' | 'to', after: string | null = null) => ({
  [RENAME_HEADER]: Buffer.from(
    JSON.stringify({
      id: 'f:9#1',
      role,
      from: { database: 'd', table: 'a' },
      to: { database: 'd', table: 'b' },
      partitions: 2,
      after,
    }),
  ),
});

describe('withRename', () => {
  const router = new Router([{ from: 'd.*', to: 'x.*' }]);

  it('gives the old name topic marker the rename, both names routed, and makes it wait for the rename', () => {
    const c = withRename(marker, header('from', 'f:9#0'), 1, router);
    expect(c.kind === 'schema' && c.action).toEqual({
      kind: 'rename',
      rename: expect.objectContaining({ id: 'f:9#1', partitions: 2 }),
      from: { database: 'x', table: 'a' },
      to: { database: 'x', table: 'b' },
      partition: 1,
      // What a refusal names (marker-decisions.ts).
      statement: 'RENAME TABLE a TO b',
      position: 'p',
    });
    expect(waitBefore(c)).toEqual({ id: 'f:9#0' });
    expect(waitAfter(c)).toEqual({ id: 'f:9#1', to: { database: 'x', table: 'b' } });
  });

  it('makes the new name topic marker wait for the rename before it is applied, with no action', () => {
    const c = withRename(marker, header('to'), 0, router);
    expect(c.kind === 'schema' && c.action).toBeUndefined();
    expect(waitBefore(c)).toEqual({ id: 'f:9#1', to: { database: 'x', table: 'b' }, from: { database: 'x', table: 'a' } });
    expect(waitAfter(c)).toBeUndefined();
  });

  it('marks names a shard route merges, and leaves markers without the header alone', () => {
    const c = withRename(marker, header('from'), 0, new Router([{ from: 'd.*', to: 'd.all' }]));
    expect(c.kind === 'schema' && c.action?.kind === 'rename' && c.action.from.shared).toBe(true);
    expect(withRename(marker, {}, 0, router)).toBe(marker);
    expect(waitBefore(marker)).toBeUndefined();
  });
});

describe('withRename: partition statements on topics of several partitions', () => {
  const truncate: TargetChange = {
    ...marker,
    query: 'ALTER TABLE a TRUNCATE PARTITION p0',
    action: {
      kind: 'partition',
      statement: 'ALTER TABLE a TRUNCATE PARTITION p0',
      partition: { op: 'truncate', partitions: ['p0'] },
    },
  };
  const barrier = { [BARRIER_HEADER]: Buffer.from('{"id":"f:9#d.a","partitions":2}') };

  it('runs the statement once every partition is at its marker, and holds each partition there until then', () => {
    const c = withRename(truncate, barrier, 1, new Router([]));
    expect(c.kind === 'schema' && c.action?.kind === 'partition' && c.action.barrier).toEqual({
      id: 'f:9#d.a',
      partitions: 2,
      at: 1,
    });
    expect(waitBefore(c)).toBeUndefined();
    expect(waitAfter(c)).toEqual({ id: 'f:9#d.a', to: { database: 'd', table: 'a' } });
  });

  it('a layout change (any other DDL marker) waits for every partition too, and is followed once', () => {
    // Its offset is no floor (no `marker`): a replay from before it applies the rows before it again.
    const c = withRename(marker, barrier, 0, new Router([]), { topic: 'x.d.a', partition: 0, offset: '7' });
    expect(c).toEqual({ ...marker, barrier: { id: 'f:9#d.a', partitions: 2, at: 0 } });
    expect(waitAfter(c)).toEqual({ id: 'f:9#d.a', to: { database: 'd', table: 'a' } });
    expect(planBatch([c])).toMatchObject([{ truncate: false, upserts: [], barrier: { id: 'f:9#d.a', at: 0 } }]);
  });

  it('leaves markers without the header alone', () => {
    expect(withRename(marker, {}, 0, new Router([]))).toBe(marker);
    expect(withRename(truncate, {}, 0, new Router([]))).toBe(truncate);
  });
});
