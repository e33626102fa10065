import { describe, expect, it } from 'vitest';
import { ONLINE_DDL_TABLES, OnlineDdl } from './online-ddl.ts';

describe('OnlineDdl', () => {
  const tools = new OnlineDdl({ enabled: true, tables: ONLINE_DDL_TABLES });

  it('knows the tables of gh-ost and pt-online-schema-change by their names', () => {
    for (const t of ['_t_gho', '_t_ghc', '_t_del', '_t_new', '_t_old', '_my_table_gho', '__t_new', '_t_20240101_del']) {
      expect(tools.isToolTable(t), t).toBe(true);
    }
    for (const t of ['t', 't_gho', '_t', 'gho', '__gho', 'new_t', '_t_news']) expect(tools.isToolTable(t), t).toBe(false);
    expect(tools.baseOf('_orders_gho')).toBe('orders');
    expect(tools.baseOf('__orders_new')).toBe('_orders');
  });

  it('takes a rename of a tool table onto its table as the cut-over', () => {
    const at = (table: string, database = 'd') => ({ database, table });
    expect(tools.isCutOver(at('_t_gho'), at('t'))).toBe(true);
    expect(tools.isCutOver(at('_t_new'), at('t'))).toBe(true);
    expect(tools.isCutOver(at('_t_gho'), at('u'))).toBe(false);
    expect(tools.isCutOver(at('_t_gho'), at('t', 'e'))).toBe(false);
    expect(tools.isCutOver(at('t'), at('_t_del'))).toBe(false);
  });

  it('recognises nothing when disabled, and takes configured patterns', () => {
    expect(new OnlineDdl({ enabled: false, tables: ONLINE_DDL_TABLES }).isToolTable('_t_gho')).toBe(false);
    const own = new OnlineDdl({ enabled: true, tables: ['*_shadow'] });
    expect(own.baseOf('orders_shadow')).toBe('orders');
    expect(own.isToolTable('_orders_gho')).toBe(false);
  });
});
