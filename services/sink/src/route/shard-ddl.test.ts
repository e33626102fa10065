import { describe, expect, it } from 'vitest';
import { diffSchema, type TargetColumnInfo } from '../apply/schema-diff.ts';
import type { TargetColumn, TargetTable } from '../decode/target-table.ts';
import { testColumn } from '../decode/test-column.ts';
import { definitionOf, type ShardLayout, shardStep } from './shard-ddl.ts';

const col = testColumn;
const ID = col('id', 'int(11)', { nullable: false, default: undefined });
/** Layout of shard `table` routed into the merged m.orders. */
const layout = (table: string, columns: TargetColumn[], renames = {}): TargetTable => ({
  database: 'm',
  table: 'orders',
  id: `${table}:${JSON.stringify(columns.map((c) => c.name))}`,
  columns,
  key: [columns[0] as TargetColumn],
  keyIndexes: [0],
  shared: true,
  renames,
  origin: { database: 's', table },
});
const shard = (table: string, columns: TargetColumn[]): ShardLayout => ({
  source: { database: 's', table },
  table: layout(table, columns),
});
const info = (c: TargetColumn): TargetColumnInfo => ({
  name: c.name,
  type: c.sqlType.replace(/\(11\)|\(20\)/, ''),
  nullable: c.nullable,
  default: c.default,
  charset: null,
  collation: null,
});
const A = col('a');
const B = col('b');
const C5 = col('c', 'int(11)', { default: { kind: 'text', value: '5' } });
const own = (table: string) => ({ database: 's', table });
const step = (t: TargetTable, target: TargetColumn[], shards: ShardLayout[]) =>
  shardStep(t, target.map(info), diffSchema(t, target.map(info)), shards, t.origin as { database: string; table: string });

describe('shard merges: which DDL a shard layout makes on the merged table', () => {
  it('a defaulted new column is added at the first shard (optimistic), and the other shard is not held by it', () => {
    const t0 = layout('o_0', [ID, A, B, C5]);
    const first = step(t0, [ID, A, B], [shard('o_0', [ID, A, B, C5]), shard('o_1', [ID, A, B])]);
    expect(first).toMatchObject({ kind: 'evolve', diff: { add: [C5], drop: [], modify: [], rename: [] } });
    // Shard 1 has not added c: it writes its rows (c takes its default), nothing is dropped.
    const t1 = layout('o_1', [ID, A, B]);
    const other = step(t1, [ID, A, B, C5], [shard('o_0', [ID, A, B, C5]), shard('o_1', [ID, A, B])]);
    expect(other).toEqual({
      kind: 'evolve',
      diff: { rename: [], add: [], modify: [], drop: [] },
      kept: [{ column: 'c', shards: ['s.o_0'] }],
    });
  });

  it('a column dropped on one shard stays (naming the shards that still have it) until every shard dropped it, then goes once', () => {
    const t0 = layout('o_0', [ID, A, C5]);
    const one = step(t0, [ID, A, B, C5], [shard('o_0', [ID, A, C5]), shard('o_1', [ID, A, B, C5])]);
    expect(one).toMatchObject({ kind: 'evolve', diff: { drop: [] }, kept: [{ column: 'b', shards: ['s.o_1'] }] });
    const t1 = layout('o_1', [ID, A, C5]);
    const both = step(t1, [ID, A, B, C5], [shard('o_0', [ID, A, C5]), shard('o_1', [ID, A, C5])]);
    expect(both).toMatchObject({ kind: 'evolve', diff: { drop: ['b'] }, kept: [] });
  });

  it('a changed column holds the shard, naming the shards that have not changed it, and is made once all have', () => {
    const wide = col('a', 'bigint(20)');
    const t0 = layout('o_0', [ID, wide]);
    const held = step(t0, [ID, A], [shard('o_0', [ID, wide]), shard('o_1', [ID, A]), shard('o_2', [ID, A])]);
    expect(held).toEqual({ kind: 'hold', change: 'change column a', behind: ['s.o_1', 's.o_2'] });
    const agreed = step(t0, [ID, A], [shard('o_0', [ID, wide]), shard('o_1', [ID, wide]), shard('o_2', [ID, wide])]);
    expect(agreed).toMatchObject({ kind: 'evolve', diff: { modify: [wide] } });
  });

  it('a rename and a NOT NULL column without default wait for every shard too', () => {
    const renamed = layout('o_0', [ID, col('a2')], { a2: ['a'] });
    const shards = [{ source: own('o_0'), table: renamed }, shard('o_1', [ID, A])];
    expect(shardStep(renamed, [ID, A].map(info), diffSchema(renamed, [ID, A].map(info)), shards, own('o_0'))).toEqual({
      kind: 'hold',
      change: 'rename column a to a2',
      behind: ['s.o_1'],
    });
    const strict = col('n', 'int(11)', { nullable: false, default: undefined });
    const t0 = layout('o_0', [ID, A, strict]);
    expect(step(t0, [ID, A], [shard('o_0', [ID, A, strict]), shard('o_1', [ID, A])])).toMatchObject({
      kind: 'hold',
      change: 'add column n NOT NULL without a default',
    });
  });

  it('an older layout of a shard (a backlog or replay) changes nothing its shard has since undone, and never holds', () => {
    // Shard 0 had b, has dropped it since; every shard dropped it and the table no longer has it.
    const old0 = layout('o_0', [ID, A, B]);
    const s = step(old0, [ID, A], [shard('o_0', [ID, A]), shard('o_1', [ID, A])]);
    expect(s).toEqual({ kind: 'evolve', diff: { rename: [], add: [], modify: [], drop: [] }, kept: [] });
    const wide = col('a', 'bigint(20)');
    const oldWide = layout('o_0', [ID, wide]);
    expect(step(oldWide, [ID, A], [shard('o_0', [ID, wide, B]), shard('o_1', [ID, A])]).kind).toBe('evolve');
  });

  it('a past layout (rows written before a later DDL) never drops a column', () => {
    const past = { ...layout('o_0', [ID, A]), pastLayout: true } as TargetTable;
    expect(step(past, [ID, A, B], [shard('o_0', [ID, A]), shard('o_1', [ID, A])])).toMatchObject({
      kind: 'evolve',
      diff: { drop: [] },
    });
  });

  it('compares definitions without table names', () => {
    expect(definitionOf(layout('o_0', [ID, A]))).toBe(definitionOf(layout('o_1', [ID, col('A')])));
    expect(definitionOf(layout('o_0', [ID, A]))).not.toBe(definitionOf(layout('o_0', [ID, col('a', 'bigint(20)')])));
  });
});
