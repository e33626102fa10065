import { BinlogPosition } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { captureLag } from './capture-status.ts';

const c = {
  captureId: 'local',
  file: 'binlog.000003',
  pos: 1000,
  gtidSet: null,
  sourceTsMs: 10_000,
  tsMs: 10_000,
  snapshot: null,
};

describe('captureLag', () => {
  it('subtracts positions within one binlog file', () => {
    expect(captureLag(c, { position: new BinlogPosition('binlog.000003', 1500), gtid: null }, 12_500)).toEqual({
      bytes: 500,
      seconds: 2.5,
    });
  });
  it('gives no byte lag across files or without the source', () => {
    expect(captureLag(c, { position: new BinlogPosition('binlog.000004', 10), gtid: null }, 10_000).bytes).toBeNull();
    expect(captureLag(c, undefined, 10_000).bytes).toBeNull();
  });
});
