import type { IndexDef, TableStructure } from './table-definition.ts';

/** What a target can hold of a table's structure (TiDB: no spatial or fulltext indexes, no DESC order). */
export interface StructureCapabilities {
  spatial: boolean;
  fulltext: boolean;
  descIndexes: boolean;
  partitioning: boolean;
  /** Character sets and collations the target has (lower case); all when undefined. */
  charsets?: Set<string>;
  collations?: Set<string>;
}

export const FULL_CAPABILITIES: StructureCapabilities = { spatial: true, fulltext: true, descIndexes: true, partitioning: true };

/** The capabilities of a server by its VERSION() text: TiDB lacks some, MariaDB and MySQL have all. */
export function capabilitiesOf(version: string): StructureCapabilities {
  return /tidb/i.test(version) ? { spatial: false, fulltext: false, descIndexes: false, partitioning: true } : FULL_CAPABILITIES;
}

/**
 * The structure a target can take, and what had to be left out of it (one phrase each, for the
 * one warning per table). DESC order is dropped silently where the target ignores it (TiDB
 * parses and discards it). Functional indexes are never copied: their expressions are the
 * source dialect's.
 */
export function fitStructure(s: TableStructure, caps: StructureCapabilities): { structure: TableStructure; leftOut: string[] } {
  const leftOut: string[] = [];
  const indexes: IndexDef[] = [];
  for (const i of s.indexes) {
    if (i.kind === 'spatial' && !caps.spatial) leftOut.push(`SPATIAL index ${i.name} (no spatial types)`);
    else if (i.kind === 'fulltext' && !caps.fulltext) leftOut.push(`FULLTEXT index ${i.name}`);
    else if (i.parts.some((p) => p.expression !== undefined)) leftOut.push(`functional index ${i.name}`);
    else indexes.push(caps.descIndexes ? i : { ...i, parts: i.parts.map(({ desc: _d, ...p }) => p) });
  }
  const { charset, collation, ...rest } = s.options;
  const hasCharset = !!charset && (!caps.charsets || caps.charsets.has(charset.toLowerCase()));
  const hasCollation = hasCharset && !!collation && (!caps.collations || caps.collations.has(collation.toLowerCase()));
  if (charset && !hasCharset) leftOut.push(`table charset ${charset}`);
  else if (collation && !hasCollation) leftOut.push(`table collation ${collation}`);
  const options = { ...rest, ...(hasCharset ? { charset } : {}), ...(hasCollation ? { collation } : {}) };
  if (s.partitioning && !caps.partitioning) leftOut.push('partitioning');
  const partitioning = caps.partitioning && s.partitioning ? { partitioning: s.partitioning } : {};
  return { structure: { indexes, options, ...partitioning }, leftOut };
}

/** Indexes whose columns a table lacks (excluded by column rules, or not on a target under ddl ignore) are dropped. */
export function indexesOver(s: TableStructure, columns: string[]): TableStructure {
  const have = new Set(columns.map((c) => c.toLowerCase()));
  return {
    ...s,
    indexes: s.indexes.filter((i) => i.parts.every((p) => p.expression !== undefined || have.has(p.column.toLowerCase()))),
  };
}
