import { describe, expect, it } from 'vitest';
import type { TargetChange } from '../decode/change-decoder.ts';
import { targetColumn as col } from '../decode/target-column-fixture.ts';
import type { TargetTable } from '../decode/target-table.ts';
import { planBatch } from './batch-plan.ts';
import type { TableAction } from './table-action.ts';

const t: TargetTable = {
  database: 'd',
  table: 't',
  columns: [col('id', 'int'), col('v', 'varchar(5)')],
  key: [col('id', 'int')],
  keyIndexes: [0],
  id: 't1',
};
const up = (id: number, v: string): TargetChange => ({
  kind: 'upsert',
  op: 'u',
  table: t,
  key: [String(id)],
  row: [String(id), v],
  sourceTsMs: 0,
  position: 'p',
  version: '1',
});
const del = (id: number): TargetChange => ({
  kind: 'delete',
  table: t,
  key: [String(id)],
  sourceTsMs: 0,
  position: 'p',
  version: '1',
});

describe('planBatch', () => {
  it('keeps the last image per key and drops deleted keys from the upserts', () => {
    const [p] = planBatch([up(1, 'a'), up(2, 'b'), up(1, 'c'), del(2), { kind: 'skip' }, up(3, 'x'), del(3), up(3, 'y')]);
    expect(p?.upserts).toEqual([
      ['1', 'c'],
      ['3', 'y'],
    ]);
    expect(p?.deletes).toEqual([['2']]);
  });

  it('orders upserts by their last change', () => {
    const [p] = planBatch([up(1, 'a'), up(2, 'b'), up(1, 'c')]);
    expect(p?.upserts.map((r) => r[0])).toEqual(['2', '1']);
  });

  it('is idempotent: planning the batch twice over gives the same result', () => {
    const batch = [up(1, 'a'), del(1), up(2, 'b')];
    expect(planBatch([...batch, ...batch])).toEqual(planBatch(batch));
  });

  it('tells binary keys apart by content', () => {
    const bt = { ...t, id: 'bin' };
    const k = (b: number[]): TargetChange => ({
      kind: 'delete',
      table: bt,
      key: [Buffer.from(b)],
      sourceTsMs: 0,
      position: 'p',
      version: '1',
    });
    expect(planBatch([k([0, 1]), k([0, 1]), k([0, 2])])[0]?.deletes).toHaveLength(2);
  });
});

describe('planBatch with TRUNCATE', () => {
  it('empties the table and keeps only what follows the truncate, planned after it', () => {
    const trunc: TargetChange = { kind: 'truncate', table: t, sourceTsMs: 0, position: 'p', version: '1' };
    const plans = planBatch([up(1, 'a'), del(2), trunc, up(3, 'c')]).filter(
      (p) => p.truncate || p.upserts.length || p.deletes.length,
    );
    expect(plans.map((p) => [p.truncate, p.upserts, p.deletes])).toEqual([
      [true, [], []],
      [false, [['3', 'c']], []],
    ]);
  });
});

describe('planBatch with TRUNCATE and a layout change', () => {
  it('plans rows written after the truncate after it, whatever their schema version', () => {
    const t2: TargetTable = { ...t, id: 't2' };
    const trunc: TargetChange = { kind: 'truncate', table: t2, sourceTsMs: 0, position: 'p', version: '2' };
    const plans = planBatch([up(1, 'a'), trunc, up(4, 'd'), { ...up(5, 'e'), table: t2 } as TargetChange]);
    const order = plans
      .filter((p) => p.truncate || p.upserts.length)
      .map((p) => (p.truncate ? 'truncate' : p.upserts.map((r) => r[0]).join()));
    expect(order).toEqual(['truncate', '4', '5']);
  });
});

describe('planBatch with DROP TABLE', () => {
  it('drops the table, forgets what came before, and plans the re-created table after the drop', () => {
    const recreated: TargetTable = { ...t, columns: [col('id', 'int'), col('w', 'int')], id: 't3' };
    const drop: TargetChange = { kind: 'drop', table: t, sourceTsMs: 0, position: 'p', version: '7' };
    const plans = planBatch([up(1, 'a'), del(2), drop, { ...up(9, '90'), table: recreated } as TargetChange]).filter(
      (p) => p.truncate || p.upserts.length || p.deletes.length,
    );
    expect(plans.map((p) => [p.table.id, p.drop ?? false, p.truncate, p.truncateVersion, p.upserts])).toEqual([
      ['t1', true, true, '7', []],
      ['t3', false, false, undefined, [['9', '90']]],
    ]);
  });
});

describe('layouts in source order', () => {
  it('a layout that comes back (MODIFY NOT NULL, then back to NULL) is planned after the one between', () => {
    const nullable = t;
    const notNull: TargetTable = { ...t, id: 't2' };
    const at = (table: TargetTable, id: number, v: string): TargetChange => ({
      ...(up(id, v) as { kind: 'upsert' } & TargetChange),
      table,
    });
    const plans = planBatch([at(nullable, 1, 'a'), at(notNull, 7, 'b'), at(nullable, 8, 'c'), at(nullable, 1, 'd')]);
    // The row written after the table went back to NULL must not be applied before NOT NULL was.
    expect(plans.map((p) => [p.table.id, p.upserts.map((r) => r[0])])).toEqual([
      ['t1', ['1']],
      ['t2', ['7']],
      ['t1', ['8', '1']],
    ]);
  });
});

describe('planBatch: DDL markers (op s)', () => {
  const t2: TargetTable = { ...t, columns: [...t.columns, col('w', 'int')], id: 't2' };
  const schema = (table: TargetTable, action?: TableAction): TargetChange => ({
    kind: 'schema',
    table,
    sourceTsMs: 0,
    position: 'p',
    version: '2',
    query: 'ALTER TABLE t ADD w INT',
    ...(action ? { action } : {}),
  });

  it('makes the target follow a layout that no row of the batch has', () => {
    const plans = planBatch([up(1, 'a'), schema(t2)]);
    expect(plans.map((p) => [p.table.id, p.upserts.length, p.truncate])).toEqual([
      ['t1', 1, false],
      ['t2', 0, false],
    ]);
  });

  it('keeps rows of the same layout in one group around a marker', () => {
    const plans = planBatch([up(1, 'a'), schema(t), up(2, 'b')]);
    expect(plans).toHaveLength(1);
    expect(plans[0]?.upserts).toHaveLength(2);
  });

  it('runs an action at its place: rows before it first, rows after it in a group after it', () => {
    const action = {
      kind: 'partition' as const,
      statement: 'ALTER TABLE t TRUNCATE PARTITION p0',
      partition: { op: 'truncate' as const, partitions: ['p0'] },
    };
    const plans = planBatch([up(1, 'a'), schema(t, action), up(2, 'b')]);
    expect(plans.map((p) => [p.action?.kind ?? null, p.upserts.map((r) => r[0])])).toEqual([
      [null, ['1']],
      ['partition', []],
      [null, ['2']],
    ]);
  });
});
