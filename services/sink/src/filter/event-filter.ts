import { globToRegExp } from '@sluice/core';
import type { TargetChange } from '../decode/change-decoder.ts';
import { parseRowExpression, type RowExpression } from './row-expression.ts';

export type FilteredOp = 'insert' | 'update' | 'delete' | 'truncate' | 'drop_table';

/** One `filters` entry of the sink config. */
export interface FilterRule {
  tables: string[];
  skip: FilteredOp[];
  where?: string;
}

/** Why a change was not applied as it came: an operation skipped, or a row outside `where`. */
export type FilterReason = `skip_${FilteredOp}` | 'where_not_kept' | 'where_deleted';

interface Compiled {
  skip: Set<FilteredOp>;
  where?: RowExpression;
  patterns: RegExp[];
}

/**
 * The sink's event and row filters (DM's binlog event filter and expression filter), applied to
 * a change before it is routed, by its source table (the first rule whose `tables` match):
 *
 * - `skip` drops operations: insert (op c), update (u), delete (d), truncate, drop_table. Snapshot
 *   rows (op r) are the table's initial state and are never skipped as inserts.
 * - `where` makes the target hold the source's rows that satisfy it: an insert or snapshot row
 *   outside it is not written, an update that takes a row outside it deletes the row in the target
 *   (so the target never keeps a row the source no longer has in that shape), deletes always apply.
 *
 * Every change not applied as it came is counted (`onFiltered`) by table and reason: nothing is
 * dropped without a trace.
 */
export class EventFilter {
  private readonly rules: Compiled[];
  private readonly byTable = new Map<string, Compiled | undefined>();
  private readonly onFiltered: (table: string, reason: FilterReason) => void;

  constructor(rules: FilterRule[], onFiltered: (table: string, reason: FilterReason) => void) {
    this.rules = rules.map((r) => ({
      skip: new Set(r.skip),
      where: r.where === undefined ? undefined : parseRowExpression(r.where),
      patterns: r.tables.map((t) => globToRegExp(t)),
    }));
    this.onFiltered = onFiltered;
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  apply(change: TargetChange): TargetChange {
    if (change.kind === 'skip' || change.kind === 'schema' || !this.rules.length) return change;
    const origin = change.table.origin ?? change.table;
    const name = `${origin.database}.${origin.table}`;
    const rule = this.rule(name);
    if (!rule) return change;
    const drop = (reason: FilterReason): TargetChange => {
      this.onFiltered(name, reason);
      return { kind: 'skip' };
    };
    switch (change.kind) {
      case 'upsert': {
        if (change.op === 'c' && rule.skip.has('insert')) return drop('skip_insert');
        if (change.op === 'u' && rule.skip.has('update')) return drop('skip_update');
        if (!rule.where) return change;
        const columns = change.table.columns;
        const kept = rule.where.test((column) => {
          // Column names are case-insensitive in MySQL: `Region` reads column region.
          const lower = column.toLowerCase();
          const i = columns.findIndex((c) => c.name === column || c.name.toLowerCase() === lower);
          return i < 0 ? undefined : (change.row[i] ?? null);
        });
        if (kept) return change;
        if (change.op !== 'u') return drop('where_not_kept');
        this.onFiltered(name, 'where_deleted');
        const { kind: _k, op: _o, row: _r, ...rest } = change;
        return { ...rest, kind: 'delete' };
      }
      case 'delete':
        return rule.skip.has('delete') ? drop('skip_delete') : change;
      case 'truncate':
        return rule.skip.has('truncate') ? drop('skip_truncate') : change;
      case 'drop':
        return rule.skip.has('drop_table') ? drop('skip_drop_table') : change;
      default:
        return change;
    }
  }

  private rule(name: string): Compiled | undefined {
    if (this.byTable.has(name)) return this.byTable.get(name);
    const rule = this.rules.find((r) => r.patterns.some((p) => p.test(name)));
    this.byTable.set(name, rule);
    return rule;
  }
}
