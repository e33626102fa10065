import { BinlogPosition } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { SourceEvent } from './binlog-reader.ts';
import { EventQueue } from './event-queue.ts';

const rows = (bytes: number): SourceEvent =>
  ({
    kind: 'rows',
    op: 'insert',
    database: 'd',
    table: 't',
    rows: [],
    ts_ms: 0,
    bytes,
    position: new BinlogPosition('b.000001', 4),
    exactEnums: true,
    binlogTable: undefined,
  }) as SourceEvent;

describe('EventQueue', () => {
  it('pauses the reader above the byte limit and resumes below half of it', async () => {
    const calls: string[] = [];
    const q = new EventQueue({ maxBytes: 1000, pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    for (let i = 0; i < 5; i++) q.push(rows(300));
    expect(calls).toEqual(['pause']);
    expect(q.bytes).toBe(1500);
    for (let i = 0; i < 3; i++) await q.next();
    expect(calls).toEqual(['pause']);
    expect(q.bytes).toBe(600);
    await q.next();
    expect(calls).toEqual(['pause', 'resume']);
    expect(q.bytes).toBe(300);
  });

  it('hands events out in order and ends when closed', async () => {
    const q = new EventQueue({ maxBytes: 1e9, pause: () => {}, resume: () => {} });
    const later = q.next();
    q.push(rows(1));
    expect((await later)?.kind).toBe('rows');
    q.close();
    expect(await q.next()).toBeUndefined();
  });
});
