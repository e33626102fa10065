import { createLogger, type Registry, SluiceError, type TableSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { TopicManager } from '../publish/topic-manager.ts';
import type { TableCatalog } from '../source/table-catalog.ts';
import { TableRegistry } from './table-registry.ts';

/** A source whose table `t` can be renamed away, with a registry and topics that only count. */
function setup() {
  const tables = new Map<string, TableSchema>([
    [
      'd.t',
      {
        database: 'd',
        table: 't',
        columns: [
          { name: 'id', sqlType: 'int', nullable: false },
          { name: 'v', sqlType: 'varchar(10)', nullable: true },
        ],
        primaryKey: ['id'],
      },
    ],
  ]);
  const catalog = {
    get: async (db: string, t: string) => {
      const s = tables.get(`${db}.${t}`);
      if (!s) throw new SluiceError('SOURCE_TABLE_UNSUPPORTED', `table ${db}.${t} no longer exists on the source`);
      return s;
    },
    exists: async (db: string, t: string) => tables.has(`${db}.${t}`),
    invalidate: () => undefined,
  } as unknown as TableCatalog;
  let id = 0;
  const registry = { register: async () => ++id, latest: async () => undefined } as unknown as Registry;
  const topics = { tableTopic: async (p: string, db: string, t: string) => `${p}.${db}.${t}`, ensure: async () => undefined };
  const log = createLogger('test', 'silent');
  const reg = new TableRegistry({
    prefix: 'p',
    catalog,
    registry,
    topics: topics as unknown as TopicManager,
    log,
    columns: { exclude: [], mask: [] },
  });
  return { reg, tables };
}

describe('TableRegistry: a table renamed or dropped before its rows are read', () => {
  it('encodes the rows as they were, not refused, and tells the encoding last used', async () => {
    const { reg, tables } = setup();
    const before = await reg.get('d', 't');
    expect(before?.topic).toBe('p.d.t');
    // The RENAME ran on the source; the capture reads rows written before it after some DDL emptied its cache.
    const moved = tables.get('d.t') as TableSchema;
    tables.delete('d.t');
    tables.set('d.t2', { ...moved, table: 't2' });
    reg.invalidate();
    expect(await reg.get('d', 't')).toBe(before);
    expect(reg.lastEncoding('d', 't')).toBe(before);
    // The definition under the new name, as the rename left it.
    const renamed = await reg.renamed(before as NonNullable<typeof before>, { database: 'd', table: 't2' });
    expect([renamed?.topic, renamed?.schema.columns.map((c) => c.name)]).toEqual(['p.d.t2', ['id', 'v']]);
    // A table never seen that is gone is refused, as before.
    expect(await reg.get('d', 'never')).toBeUndefined();
  });
});
