import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BaseManifest, LocalArchiveStorage, removeTree } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeBases } from './base-summary.ts';
import { renderBases } from './command.ts';

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((d) => removeTree(d))));
const H = Date.UTC(2026, 11, 2, 7);

const base = (id: string, createdAtMs: number, rows: number): BaseManifest => ({
  id,
  createdAtMs,
  topicPrefix: 'sluice',
  tables: [
    {
      db: 'shop',
      table: 'items',
      topic: 'sluice.shop.items',
      schemaIds: [7],
      rows,
      bytes: rows * 10,
      files: [`base=${id}/shop/items/0-0.avro`, `base=${id}/shop/items/1-0.avro`],
      partitions: [
        { partition: 0, endOffset: String(rows), lastSourceTsMs: createdAtMs - 5_000, lastPosition: '0-1-9' },
        { partition: 1, endOffset: '0', lastSourceTsMs: null, lastPosition: null },
      ],
    },
    {
      db: 'crm',
      table: 'users',
      topic: 'sluice.crm.users',
      schemaIds: [8],
      rows: 3,
      bytes: 30,
      files: [`base=${id}/crm/users/0-0.avro`],
      partitions: [{ partition: 0, endOffset: '4', lastSourceTsMs: createdAtMs - 60_000, lastPosition: '0-1-2' }],
    },
  ],
});

describe('sluice archive ls: bases', () => {
  it('lists each complete base: created, tables, rows, bytes, end offsets and last source time, and which retention keeps', async () => {
    const root = mkdtempSync(join(tmpdir(), 'archive-ls-bases-'));
    roots.push(root);
    const st = new LocalArchiveStorage(root);
    for (const [id, at, rows] of [
      ['20261202T070000000Z', H, 100],
      ['20261202T080000000Z', H + 3_600_000, 150],
      ['20261202T090000000Z', H + 7_200_000, 200],
    ] as const) {
      await st.write(`base=${id}/shop/items/0-0.avro`, 'x');
      await st.write(`base=${id}/base.json`, JSON.stringify(base(id, at, rows)));
    }
    // Unfinished (no base.json): no base.
    await st.write('base=20261202T100000000Z/shop/items/0-0.avro', 'x');
    const all = await summarizeBases(st, [], 2);
    expect(all.map((b) => [b.id, b.createdAtMs, b.rows, b.bytes, b.files, b.kept])).toEqual([
      ['20261202T070000000Z', H, 103, 1030, 3, false],
      ['20261202T080000000Z', H + 3_600_000, 153, 1530, 3, true],
      ['20261202T090000000Z', H + 7_200_000, 203, 2030, 3, true],
    ]);
    expect(all[2]?.tables[0]).toEqual({
      db: 'shop',
      table: 'items',
      rows: 200,
      bytes: 2000,
      files: 2,
      ends: [
        { partition: 0, endOffset: '200' },
        { partition: 1, endOffset: '0' },
      ],
      lastSourceTsMs: H + 7_200_000 - 5_000,
    });
    // Without keepBases every base is kept; --tables narrows the tables shown.
    const items = await summarizeBases(st, ['shop.*'], undefined);
    expect(items.every((b) => b.kept && b.tables.length === 1 && b.rows === b.tables[0]?.rows)).toBe(true);
    const text = renderBases(all, 2);
    expect(text).toContain('20261202T090000000Z  2026-12-02T09:00:00Z');
    expect(text).toContain('shop.items: 200 rows, ends 0@200 1@0, last change 2026-12-02T08:59:55Z');
    expect(text).toMatch(/20261202T070000000Z .* pruned \(beyond --keep-bases 2\)/);
    // A base.json that cannot be read is shown with its reason.
    await st.write('base=20261202T110000000Z/base.json', '{');
    expect((await summarizeBases(st, [], 2)).find((b) => b.error)?.error).toMatch(/not JSON/);
  });
});
