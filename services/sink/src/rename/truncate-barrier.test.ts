import { BARRIER_HEADER, type BatchConsumer, type ConsumedRecord, createLogger } from '@sluice/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TargetChange } from '../decode/change-decoder.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { planBatch } from '../plan/batch-plan.ts';
import { Router } from '../route/router.ts';
import { isRenameMarker, RenameGate, waitAfter } from './rename-gate.ts';
import { withRename } from './rename-route.ts';

const table = { database: 'd', table: 'a', columns: [], key: [], keyIndexes: [], id: 'x' } as TargetTable;
const truncate: TargetChange = { kind: 'truncate', table, sourceTsMs: 0, position: 'f:9', version: '1' };
const barrier = { [BARRIER_HEADER]: Buffer.from(JSON.stringify({ id: 'f:9#d.a', partitions: 3 })) };
const router = new Router([]);
const at = { topic: 'p.d.a', partition: 2, offset: '41' };

describe('TRUNCATE on a topic of several partitions', () => {
  it('carries its barrier: the batch ends at it, and the partition waits there until the TRUNCATE ran', () => {
    const c = withRename(truncate, barrier, 2, router, at);
    expect(c).toEqual({ ...truncate, barrier: { id: 'f:9#d.a', partitions: 3, at: 2, marker: at } });
    expect(isRenameMarker(c)).toBe(true);
    expect(waitAfter(c)).toEqual({ id: 'f:9#d.a', to: { database: 'd', table: 'a' } });
    // The plan runs it once per barrier (target-writer.ts): the barrier travels with it.
    expect(planBatch([c])[0]?.barrier).toEqual({ id: 'f:9#d.a', partitions: 3, at: 2, marker: at });
  });

  it('a DROP TABLE marker the same; without the header (one partition, an older capture) nothing changes', () => {
    const drop: TargetChange = { ...truncate, kind: 'drop' };
    expect(waitAfter(withRename(drop, barrier, 0, router))).toEqual({ id: 'f:9#d.a', to: { database: 'd', table: 'a' } });
    const plain = withRename(truncate, undefined, 0, router);
    expect(plain).toBe(truncate);
    expect(isRenameMarker(plain)).toBe(false);
    expect(waitAfter(plain)).toBeUndefined();
  });
});

describe('RenameGate: a rename that never comes', () => {
  afterEach(() => vi.useRealTimers());

  it('is told once as overdue after the bound, and its held row goes when the wait is over', async () => {
    vi.useFakeTimers();
    const consumer = { pause: () => undefined, resume: () => undefined } as unknown as BatchConsumer;
    let done = false;
    const told: string[] = [];
    const gate = new RenameGate({
      done: async () => done,
      current: () => consumer,
      log: createLogger('test', 'silent'),
      pollMs: 100,
      overdueMs: 1_000,
      overdue: async (w, a) => {
        told.push(`overdue ${w.id} ${a.topic}/${a.partition}@${a.offset}`);
      },
      over: async (w) => {
        told.push(`over ${w.id}`);
      },
    });
    const w = { id: 'r1', to: { database: 'd', table: 'b' }, from: { database: 'd', table: 'a' } };
    gate.hold(consumer, 'p.d.b', 0, { offset: '5' } as ConsumedRecord, w);
    await vi.advanceTimersByTimeAsync(900);
    expect(told).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(told).toEqual(['overdue r1 p.d.b/0@5']);
    done = true;
    await vi.advanceTimersByTimeAsync(300);
    expect(told).toEqual(['overdue r1 p.d.b/0@5', 'over r1']);
    gate.stop();
  });
});
