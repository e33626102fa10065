import { BinlogPosition, createLogger, SluiceError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { type StatementDmlEvent, statementDmlError, statementDmlPolicy } from './statement-dml.ts';

const event: StatementDmlEvent = {
  kind: 'statement',
  verb: 'update',
  tables: [
    { database: 'shop', table: 'orders' },
    { database: 'shop', table: '名前表' },
  ],
  unnamed: false,
  at: new BinlogPosition('binlog.000007', 3623),
  gtid: '0-1-17',
  ts_ms: 0,
};

describe('statementDmlError', () => {
  it('names the tables, the position, what went wrong and how to go on', () => {
    const e = statementDmlError(event);
    expect(e.code).toBe('SOURCE_STATEMENT_DML');
    expect(e.retriable).toBe(false);
    expect(e.message).toMatch(/^UPDATE on shop\.orders, shop\.名前表 reached the binlog as a statement, not as rows/);
    expect(e.message).toContain('binlog_format STATEMENT or MIXED');
    expect(e.message).toContain('at binlog.000007:3623 (gtid 0-1-17)');
    expect(e.message).toContain('the targets are missing that change');
    expect(e.message).toContain('source.onStatementDml: warn');
    expect(e.message).toContain("sluice verify --tables 'shop.orders','shop.名前表' --fix apply");
  });

  it('says when the written tables cannot be named', () => {
    const e = statementDmlError({ ...event, verb: 'call', tables: [], unnamed: true, gtid: null });
    expect(e.message).toMatch(/^a stored function call \(SELECT\/DO\) that wrote tables it does not name reached the binlog/);
    expect(e.message).toContain('at binlog.000007:3623:');
  });
});

describe('statementDmlPolicy', () => {
  it('stop throws the error', () => {
    const counted: string[] = [];
    const stop = statementDmlPolicy({ policy: 'stop', log: createLogger('t', 'silent'), count: (v) => counted.push(v) });
    expect(() => stop(event)).toThrow(SluiceError);
    expect(counted).toEqual([]);
  });

  it('warn counts it and goes on', () => {
    const counted: string[] = [];
    const warn = statementDmlPolicy({ policy: 'warn', log: createLogger('t', 'silent'), count: (v) => counted.push(v) });
    expect(() => warn(event)).not.toThrow();
    expect(counted).toEqual(['update']);
  });
});
