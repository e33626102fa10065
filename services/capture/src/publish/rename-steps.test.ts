import { describe, expect, it } from 'vitest';
import { parseDdl } from '../event/ddl-statement.ts';
import { ONLINE_DDL_TABLES, OnlineDdl } from '../source/online-ddl.ts';
import { TableFilter } from '../source/table-filter.ts';
import { renameSteps } from './rename-steps.ts';

const tools = new OnlineDdl({ enabled: true, tables: ONLINE_DDL_TABLES });
const filter = new TableFilter({ include: ['shop.*'], exclude: ['shop.tmp_*'] }, (t) => tools.isToolTable(t));
const steps = (sql: string) =>
  renameSteps(
    parseDdl(sql, 'shop').renames ?? [],
    (t) => filter.matches(t.database, t.table),
    (a, b) => tools.isCutOver(a, b),
  ).map((s) => `${s.kind} ${s.from.table}->${s.to.table}`);

describe('renameSteps', () => {
  it('renames between captured names, in order', () => {
    expect(steps('RENAME TABLE a TO b, c TO d')).toEqual(['rename a->b', 'rename c->d']);
    expect(steps('ALTER TABLE a RENAME TO b')).toEqual(['rename a->b']);
  });

  it("takes gh-ost's and pt-osc's cut-over as an ALTER of the table, in one or two statements", () => {
    expect(steps('RENAME TABLE t TO _t_del, _t_gho TO t')).toEqual(['left t->_t_del', 'cutover _t_gho->t']);
    expect(steps('RENAME TABLE `t` TO `_t_old`, `_t_new` TO `t`')).toEqual(['left t->_t_old', 'cutover _t_new->t']);
    expect(steps('RENAME TABLE t TO _t_del')).toEqual(['left t->_t_del']);
    expect(steps('RENAME TABLE _t_gho TO t')).toEqual(['cutover _t_gho->t']);
  });

  it('tells a table coming in from an uncaptured name, and one leaving to it', () => {
    expect(steps('RENAME TABLE tmp_x TO x')).toEqual(['created tmp_x->x']);
    expect(steps('RENAME TABLE x TO other.x')).toEqual(['left x->x']);
    expect(steps('RENAME TABLE other.a TO other.b')).toEqual([]);
  });
});
