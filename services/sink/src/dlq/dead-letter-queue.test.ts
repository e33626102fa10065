import { SluiceError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { type DeadLetter, requests } from './dead-letter-queue.ts';

const letter = (bytes: number): DeadLetter => ({
  key: Buffer.alloc(10),
  value: Buffer.alloc(bytes),
  error: new SluiceError('TARGET_REJECTED', 'refused'),
  topic: 't',
  partition: 0,
  offset: '0',
  position: null,
});

describe('dead-letter requests', () => {
  it('groups small letters and sends a big one alone, in order', () => {
    const sizes = requests([letter(100), letter(200), letter(12 * 1024 * 1024), letter(100)]).map((g) =>
      g.map((l) => l.value?.length),
    );
    expect(sizes).toEqual([[100, 200], [12 * 1024 * 1024], [100]]);
  });
});
