import { describe, expect, it } from 'vitest';
import { BARRIER_HEADER, barrierHeaderOf, RENAME_HEADER, renameHeaderOf } from './rename-header.ts';

describe('renameHeaderOf', () => {
  const h = {
    id: 'b.000001:400#0',
    role: 'from',
    from: { database: 'd', table: 'a' },
    to: { database: 'e', table: 'b' },
    partitions: 2,
    after: null,
  };

  it('reads the header as kafkajs gives it (a Buffer)', () => {
    expect(renameHeaderOf({ [RENAME_HEADER]: Buffer.from(JSON.stringify(h)) })).toEqual(h);
  });

  it('is undefined without one, or for a malformed one', () => {
    expect(renameHeaderOf(undefined)).toBeUndefined();
    expect(renameHeaderOf({})).toBeUndefined();
    expect(renameHeaderOf({ [RENAME_HEADER]: Buffer.from('{') })).toBeUndefined();
    expect(renameHeaderOf({ [RENAME_HEADER]: JSON.stringify({ ...h, role: 'x' }) })).toBeUndefined();
  });
});

describe('barrierHeaderOf', () => {
  it('reads the id and the partition count', () => {
    expect(barrierHeaderOf({ [BARRIER_HEADER]: Buffer.from('{"id":"f:1","partitions":3}') })).toEqual({
      id: 'f:1',
      partitions: 3,
    });
    expect(barrierHeaderOf({ [BARRIER_HEADER]: Buffer.from('{"id":"f:1","partitions":0}') })).toBeUndefined();
    expect(barrierHeaderOf({})).toBeUndefined();
  });
});
