import { describe, expect, it } from 'vitest';
import { parseXa, xidText } from './xa-statement.ts';

describe('XA statements', () => {
  it('reads the canonical forms MySQL and MariaDB log', () => {
    expect(parseXa("XA START X'6d31',X'',1")).toEqual({ verb: 'start', xid: "X'6d31',X'',1", onePhase: false });
    expect(parseXa("XA END X'6d31',X'',1")).toEqual({ verb: 'end', xid: "X'6d31',X'',1", onePhase: false });
    expect(parseXa("XA COMMIT X'6d31',X'',1")).toEqual({ verb: 'commit', xid: "X'6d31',X'',1", onePhase: false });
    expect(parseXa("xa rollback X'6d31',X'62',7")).toEqual({ verb: 'rollback', xid: "X'6d31',X'62',7", onePhase: false });
    expect(parseXa("XA COMMIT X'6d31',X'',1 ONE PHASE")).toEqual({ verb: 'commit', xid: "X'6d31',X'',1", onePhase: true });
  });

  it('leaves other statements alone', () => {
    expect(parseXa('BEGIN')).toBeUndefined();
    expect(parseXa('ALTER TABLE xa ADD c INT')).toBeUndefined();
    expect(parseXa('XACT')).toBeUndefined();
  });

  it('spells an XA_PREPARE event xid like the COMMIT query', () => {
    expect(xidText(Buffer.from('m1'), Buffer.alloc(0), 1)).toBe("X'6d31',X'',1");
  });
});
