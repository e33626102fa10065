import { fitStructure, type IndexDef, indexesOver, type StructureCapabilities, type TableStructure } from '@sluice/core';
import type { TargetTable } from '../decode/target-table.ts';
import type { TargetTraits } from './table-ddl.ts';

/** What a target of these traits can hold: TiDB has no spatial or fulltext indexes and keeps no DESC order. */
export function capabilities(traits?: TargetTraits): StructureCapabilities {
  return {
    spatial: traits?.spatial !== false,
    fulltext: !traits?.tidb,
    descIndexes: !traits?.tidb,
    partitioning: true,
    ...(traits ? { charsets: traits.charsets, collations: traits.collations } : {}),
  };
}

/**
 * The structure the target table is to have as a copy of the source's, and what of the
 * source's it cannot have (one phrase each). The primary key is the key the sink writes by (the
 * source's primary key, or the unique key capture keys the table by). Indexes over columns the
 * version lacks are left out. Foreign keys are never part of a definition. Undefined when the
 * schema version carries no structure: the target's is then left as it is.
 */
export function tableCopy(t: TargetTable, traits?: TargetTraits): { structure: TableStructure; leftOut: string[] } | undefined {
  if (!t.structure) return undefined;
  const key = t.key.map((k) => k.name.toLowerCase());
  const sourcePrimary = t.structure.indexes.find((i) => i.kind === 'primary');
  const samePrimary =
    sourcePrimary &&
    sourcePrimary.parts.length === key.length &&
    sourcePrimary.parts.every((p, i) => p.column.toLowerCase() === key[i] && !p.length);
  const primary: IndexDef = samePrimary
    ? sourcePrimary
    : { name: 'PRIMARY', kind: 'primary', parts: t.key.map((k) => ({ column: k.name })) };
  const others = t.structure.indexes.filter((i) => i.kind !== 'primary');
  const over = indexesOver(
    { ...t.structure, indexes: [primary, ...others] },
    t.columns.map((c) => c.name),
  );
  const fitted = fitStructure(over, capabilities(traits));
  const generated = t.columns.filter((c) => c.generated).map((c) => `generation of ${c.name} (stored as a plain column)`);
  return { structure: fitted.structure, leftOut: [...fitted.leftOut, ...generated] };
}
