import { BinlogPosition } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { atOrAfter } from './source-position.ts';

const pos = new BinlogPosition('binlog.000003', 1000);

describe('atOrAfter', () => {
  it('compares MariaDB GTIDs by sequence within their domain', () => {
    const start = { position: pos, gtid: '0-1-100,1-2-7' };
    expect(atOrAfter('0-1-100', start)).toBe(true);
    expect(atOrAfter('0-3-101', start)).toBe(true);
    expect(atOrAfter('0-1-99', start)).toBe(false);
    expect(atOrAfter('1-2-6', start)).toBe(false);
    expect(atOrAfter('2-1-1', start)).toBeUndefined();
  });

  it('compares MySQL GTIDs with the newest transaction of their server in the executed set', () => {
    const uuid = 'c73a3b4b-e5b0-11f1-be95-02fc00000001';
    const start = { position: pos, gtid: `${uuid}:1-50:52-100` };
    expect(atOrAfter(`${uuid}:100`, start)).toBe(true);
    expect(atOrAfter(`${uuid}:99`, start)).toBe(false);
    expect(atOrAfter('11111111-2222-3333-4444-555555555555:1', start)).toBeUndefined();
  });

  it('compares file:position by file sequence, then offset', () => {
    const start = { position: pos, gtid: null };
    expect(atOrAfter('binlog.000003:1000', start)).toBe(true);
    expect(atOrAfter('binlog.000003:999', start)).toBe(false);
    expect(atOrAfter('binlog.000004:4', start)).toBe(true);
    expect(atOrAfter('garbage', start)).toBeUndefined();
  });
});
