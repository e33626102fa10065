import { BinlogPosition, createLogger } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { type PartialRowsEvent, partialRowImagePolicy } from './partial-row-image.ts';

const event: PartialRowsEvent = {
  kind: 'partial_rows',
  database: 'shop',
  table: 'orders',
  at: new BinlogPosition('binlog.000007', 3623),
  gtid: '0-1-17',
};

describe('partialRowImagePolicy', () => {
  it('stop throws SOURCE_PARTIAL_ROW_IMAGE naming table, position, cause and how to go on', () => {
    const counted: string[] = [];
    const stop = partialRowImagePolicy({ policy: 'stop', log: createLogger('t', 'silent'), count: (t) => counted.push(t) });
    expect(() => stop(event)).toThrow(
      expect.objectContaining({
        code: 'SOURCE_PARTIAL_ROW_IMAGE',
        retriable: false,
        message: expect.stringMatching(
          /shop\.orders at binlog\.000007:3623 \(gtid 0-1-17\).*binlog_row_image MINIMAL or NOBLOB.*source\.onPartialRowImage: warn.*--tables 'shop\.orders' --fix apply/,
        ),
      }),
    );
    expect(counted).toEqual([]);
  });

  it('warn counts it and goes on', () => {
    const counted: string[] = [];
    const warn = partialRowImagePolicy({ policy: 'warn', log: createLogger('t', 'silent'), count: (t) => counted.push(t) });
    expect(() => warn(event)).not.toThrow();
    expect(counted).toEqual(['shop.orders']);
  });
});
