import { type BatchConsumer, type ConsumedRecord, createLogger } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { RenameGate } from './rename-gate.ts';

const fakeConsumer = () => {
  const calls: string[] = [];
  const consumer = {
    pause: () => calls.push('pause'),
    resume: () => {
      calls.push('resume');
      throw new Error('Consumer group was not initialized, consumer#run must be called first');
    },
  } as unknown as BatchConsumer;
  return { consumer, calls };
};
const at = { offset: '7' } as ConsumedRecord;
const tick = () => new Promise((r) => setTimeout(r, 30));

describe('RenameGate', () => {
  it('does not resume a consumer the sink replaced while the rename was being checked', async () => {
    const old = fakeConsumer();
    const next = fakeConsumer();
    let current = old.consumer;
    let answer: (done: boolean) => void = () => undefined;
    const gate = new RenameGate({
      done: () =>
        new Promise<boolean>((r) => {
          answer = r;
        }),
      current: () => current,
      log: createLogger('test', 'silent'),
      pollMs: 5,
    });
    gate.hold(old.consumer, 't', 0, at, { id: 'r1' });
    await tick();
    // A new topic: the sink runs a new consumer; then the rename turns out done.
    current = next.consumer;
    answer(true);
    await tick();
    gate.stop();
    expect(old.calls).toEqual(['pause']);
    expect(next.calls).toEqual([]);
  });
});
