import { describe, expect, it } from 'vitest';
import { targetColumn as col } from '../decode/target-column-fixture.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { keyString, type TablePlan } from './batch-plan.ts';
import { dropStale } from './stale-filter.ts';

const t: TargetTable = { database: 'd', table: 't', columns: [col('id'), col('v')], key: [col('id')], keyIndexes: [0], id: 'x' };
const plan = (): TablePlan => ({
  table: t,
  truncate: false,
  upserts: [
    ['1', '10'],
    ['2', '20'],
  ],
  upsertVersions: ['100', '200'],
  deletes: [['3']],
  deleteVersions: ['300'],
});
const keyOfRow = (row: unknown[]) => [row[0]] as string[];

describe('dropStale', () => {
  it('keeps changes newer than the version the target has for their key', () => {
    const existing = new Map([
      [keyString(['1']), 150n],
      [keyString(['3']), 250n],
    ]);
    const { plan: p, dropped } = dropStale(plan(), keyOfRow, existing, undefined);
    expect(p.upserts).toEqual([['2', '20']]);
    expect(p.deletes).toEqual([['3']]);
    expect(dropped).toBe(1);
  });

  it('treats a later TRUNCATE as the version of every key', () => {
    const { plan: p } = dropStale(plan(), keyOfRow, new Map(), 250n);
    expect(p.upserts).toEqual([]);
    expect(p.deletes).toEqual([['3']]);
  });

  it('does not repeat an old TRUNCATE', () => {
    const old = { ...plan(), truncate: true, truncateVersion: '50' };
    expect(dropStale(old, keyOfRow, new Map(), 60n).plan.truncate).toBe(false);
  });
});
