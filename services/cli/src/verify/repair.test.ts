import { describe, expect, it } from 'vitest';
import { printable, repairStatements } from './repair.ts';

const target = { database: 'shop', table: 'items', key: ['id'], columns: ['id', 'name', 'data'] };

describe('repair statements', () => {
  const diffs = [
    { kind: 'missing' as const, keyText: '1', key: [1] },
    { kind: 'changed' as const, keyText: '2', key: [2], columns: ['name'] },
    { kind: 'extra' as const, keyText: '3', key: [3] },
  ];
  const rows = new Map<string, unknown[]>([
    ['1', [1, "it's", Buffer.from([0, 255])]],
    ['2', [2, 'new', null]],
  ]);

  it('deletes extra rows, updates changed columns, inserts missing rows, values as parameters', () => {
    expect(repairStatements(target, diffs, rows)).toEqual([
      { sql: 'DELETE FROM `shop`.`items` WHERE `id` = ?', params: [3] },
      { sql: 'UPDATE `shop`.`items` SET `name` = ? WHERE `id` = ?', params: ['new', 2] },
      { sql: 'INSERT INTO `shop`.`items` (`id`, `name`, `data`) VALUES (?, ?, ?)', params: [1, "it's", Buffer.from([0, 255])] },
    ]);
  });

  it('skips a row that left the source since it was compared', () => {
    expect(repairStatements(target, [diffs[0] as (typeof diffs)[0]], new Map())).toEqual([]);
  });

  it('prints values quoted, binary as hex', () => {
    const [, , insert] = repairStatements(target, diffs, rows);
    expect(printable(insert as never)).toBe("INSERT INTO `shop`.`items` (`id`, `name`, `data`) VALUES (1, 'it\\'s', X'00ff');");
  });

  it('updates every non-key column when it does not know which differ', () => {
    const [s] = repairStatements(target, [{ kind: 'changed', keyText: '2', key: [2] }], rows);
    expect(s?.sql).toBe('UPDATE `shop`.`items` SET `name` = ?, `data` = ? WHERE `id` = ?');
  });
});
