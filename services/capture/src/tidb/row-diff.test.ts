import { describe, expect, it } from 'vitest';
import { keyText, rowChange } from './row-diff.ts';

describe('rowChange', () => {
  it('tells inserts, deletes and updates, and leaves an unchanged row out', () => {
    const a = { id: 1, v: '1.50', b: Buffer.from([0, 1]) };
    expect(rowChange(undefined, undefined)).toBeUndefined();
    expect(rowChange(undefined, a)).toEqual({ op: 'insert', before: null, after: a });
    expect(rowChange(a, undefined)).toEqual({ op: 'delete', before: a, after: null });
    expect(rowChange(a, { ...a, b: Buffer.from([0, 1]) })).toBeUndefined();
    expect(rowChange(a, { ...a, b: Buffer.from([0, 2]) })?.op).toBe('update');
  });

  it('compares exact text: 1.50 is not 1.5, NULL is not the empty string or "N"', () => {
    expect(rowChange({ v: '1.50' }, { v: '1.5' })?.op).toBe('update');
    expect(rowChange({ v: null }, { v: '' })?.op).toBe('update');
    expect(rowChange({ v: null }, { v: 'N' })?.op).toBe('update');
    expect(rowChange({ v: Buffer.from('s1') }, { v: 's1' })?.op).toBe('update');
  });

  it('pairs rows by key text, binary keys by their bytes', () => {
    expect(keyText({ id: Buffer.from([255]), x: 2 }, ['id', 'x'])).toBe(
      keyText({ id: Buffer.from([255]), x: 2, y: 3 }, ['id', 'x']),
    );
    expect(keyText({ id: '1' }, ['id'])).not.toBe(keyText({ id: 1 }, ['id']));
  });
});
