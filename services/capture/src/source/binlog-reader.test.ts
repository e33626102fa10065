import { describe, expect, it } from 'vitest';
import { fullImage, includeGtid } from './binlog-reader.ts';

describe('includeGtid', () => {
  it('advances a MariaDB position in the transaction domain', () => {
    expect(includeGtid('0-1-41,1-2-7', '0-1-42')).toBe('0-1-42,1-2-7');
  });

  it('adds to a MySQL GTID set', () => {
    const uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    expect(includeGtid(`${uuid}:1-41`, `${uuid}:42`)).toBe(`${uuid}:1-42`);
  });

  it('leaves an unknown set unknown and ignores a missing GTID', () => {
    expect(includeGtid(null, '0-1-5')).toBeNull();
    expect(includeGtid('0-1-5', undefined)).toBe('0-1-5');
  });
});

describe('fullImage', () => {
  it('tells a FULL row image from a MINIMAL or NOBLOB one by the columns-present bitmap', () => {
    expect(fullImage(Buffer.from([0b1111]), 4)).toBe(true);
    expect(fullImage(Buffer.from([0xff, 0b1]), 9)).toBe(true);
    expect(fullImage(Buffer.from([0b1011]), 4)).toBe(false);
    expect(fullImage(Buffer.from([0xff, 0b0]), 9)).toBe(false);
    expect(fullImage(undefined, 4)).toBe(true);
  });
});
