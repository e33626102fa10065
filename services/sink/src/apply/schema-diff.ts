import { qualified, quoteIdent } from '@sluice/core';
import type { TargetColumn, TargetTable } from '../decode/target-table.ts';
import { columnDef, type TargetTraits, targetSqlType } from './table-ddl.ts';

export interface TargetColumnInfo {
  name: string;
  type: string;
}

export interface SchemaDiff {
  add: TargetColumn[];
  modify: TargetColumn[];
  drop: string[];
}

/** Integer display widths and spacing are spelling, not type. */
export const normalizeType = (t: string): string =>
  t
    .toLowerCase()
    .replace(/^integer\b/, 'int')
    .replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, '$1')
    .replace(/^geomcollection$/, 'geometrycollection')
    .replace(/\s+/g, ' ')
    .trim();

/** How the target table differs from the source schema version a record was written with. */
export function diffSchema(t: TargetTable, target: TargetColumnInfo[], traits?: TargetTraits): SchemaDiff {
  const have = new Map(target.map((c) => [c.name.toLowerCase(), c]));
  const want = new Set(t.columns.map((c) => c.name.toLowerCase()));
  return {
    add: t.columns.filter((c) => !have.has(c.name.toLowerCase())),
    modify: t.columns.filter((c) => {
      const h = have.get(c.name.toLowerCase());
      return h !== undefined && normalizeType(h.type) !== normalizeType(targetSqlType(c.sqlType, traits));
    }),
    drop: target.filter((c) => !want.has(c.name.toLowerCase())).map((c) => c.name),
  };
}

export const isEmpty = (d: SchemaDiff): boolean => d.add.length + d.modify.length + d.drop.length === 0;

/** One ALTER TABLE that makes the target follow the source: add, modify, drop. */
export function evolveSql(t: TargetTable, d: SchemaDiff, target?: TargetTraits): string | undefined {
  const parts = [
    ...d.add.map((c) => `ADD COLUMN ${columnDef({ ...c, nullable: true }, target)}`),
    ...d.modify.map((c) => `MODIFY COLUMN ${columnDef(c, target)}`),
    ...d.drop.map((n) => `DROP COLUMN ${quoteIdent(n)}`),
  ];
  return parts.length ? `ALTER TABLE ${qualified(t.database, t.table)} ${parts.join(', ')}` : undefined;
}

export function describeDiff(d: SchemaDiff): string {
  const out: string[] = [];
  if (d.add.length) out.push(`new columns ${d.add.map((c) => c.name).join(', ')}`);
  if (d.modify.length) out.push(`changed types ${d.modify.map((c) => `${c.name} -> ${c.sqlType}`).join(', ')}`);
  if (d.drop.length) out.push(`dropped columns ${d.drop.join(', ')}`);
  return out.join('; ');
}
