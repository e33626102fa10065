import { describe, expect, it } from 'vitest';
import { keepLatestColumns } from './latest-columns.ts';
import type { SchemaDiff } from './schema-diff.ts';

const diff = (drop: string[]): SchemaDiff => ({ rename: [], add: [], modify: [], drop });

describe('keepLatestColumns', () => {
  it('keeps a target column the source latest layout still has (an older layout from a partition behind)', () => {
    expect(keepLatestColumns(diff(['c']), ['id', 'v', 'C'])).toEqual(diff([]));
  });

  it('drops a column the source dropped for good, and changes nothing without a latest layout', () => {
    expect(keepLatestColumns(diff(['c', 'gone']), ['id', 'c'])).toEqual(diff(['gone']));
    const d = diff(['c']);
    expect(keepLatestColumns(d, undefined)).toBe(d);
    expect(keepLatestColumns(d, ['id'])).toBe(d);
  });
});
