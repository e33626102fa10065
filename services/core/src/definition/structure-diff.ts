import { canonicalIndex, canonicalOptions } from './normalize-definition.ts';
import { canonicalPartitioning } from './partitioning.ts';
import type { IndexDef, TableOptions, TableStructure } from './table-definition.ts';

/** What makes a table's structure equal to a wanted one. An index whose definition changes is dropped and added. */
export interface StructureDiff {
  renameIndexes: { from: string; to: string }[];
  dropIndexes: IndexDef[];
  addIndexes: IndexDef[];
  /** Options to set (the wanted values of those that differ); undefined when they are equal. */
  options?: TableOptions;
  /** The partitioning to have: a clause, or null to remove it; undefined when equal. */
  partitioning?: string | null;
}

const lower = (s: string) => s.toLowerCase();
const sansName = (i: IndexDef) => canonicalIndex(i);

/**
 * The difference between the structure a table has and the one it should have (both already
 * fitted to the target: target-capabilities.ts). An index of another name but the same
 * definition is renamed rather than rebuilt. A table several sources merge into (`shared`) only
 * gains indexes whose names it lacks: one shard without an index must not take it from the
 * others, so nothing is dropped, redefined, renamed, and options and partitioning stay.
 */
export function diffStructure(want: TableStructure, have: TableStructure, opts: { shared?: boolean } = {}): StructureDiff {
  const haveBy = new Map(have.indexes.map((i) => [lower(i.name), i]));
  const wantBy = new Map(want.indexes.map((i) => [lower(i.name), i]));
  if (opts.shared) {
    return { renameIndexes: [], dropIndexes: [], addIndexes: want.indexes.filter((i) => !haveBy.has(lower(i.name))) };
  }
  let drop = have.indexes.filter((h) => {
    const w = wantBy.get(lower(h.name));
    return !w || sansName(w) !== sansName(h);
  });
  let add = want.indexes.filter((w) => {
    const h = haveBy.get(lower(w.name));
    return !h || sansName(w) !== sansName(h);
  });
  const renameIndexes: StructureDiff['renameIndexes'] = [];
  for (const d of [...drop]) {
    if (d.kind === 'primary' || wantBy.has(lower(d.name))) continue;
    const a = add.find((x) => x.kind !== 'primary' && !haveBy.has(lower(x.name)) && sansName(x) === sansName(d));
    if (!a) continue;
    renameIndexes.push({ from: d.name, to: a.name });
    drop = drop.filter((x) => x !== d);
    add = add.filter((x) => x !== a);
  }
  const out: StructureDiff = { renameIndexes, dropIndexes: drop, addIndexes: add };
  const wo = canonicalOptions(want.options);
  const ho = canonicalOptions(have.options);
  const options: TableOptions = {};
  if (wo.comment !== ho.comment) options.comment = want.options.comment ?? '';
  if ((wo.charset && wo.charset !== ho.charset) || (wo.collation && wo.collation !== ho.collation)) {
    if (want.options.charset) options.charset = want.options.charset;
    if (want.options.collation) options.collation = want.options.collation;
  }
  if (Object.keys(options).length) out.options = options;
  if ((canonicalPartitioning(want.partitioning) ?? '') !== (canonicalPartitioning(have.partitioning) ?? '')) {
    out.partitioning = want.partitioning ?? null;
  }
  return out;
}

export const isEmptyStructureDiff = (d: StructureDiff): boolean =>
  d.renameIndexes.length + d.dropIndexes.length + d.addIndexes.length === 0 && !d.options && d.partitioning === undefined;

/** One line for logs and verify: what differs. */
export function describeStructureDiff(d: StructureDiff): string {
  const out: string[] = [];
  if (d.renameIndexes.length) out.push(`renamed indexes ${d.renameIndexes.map((r) => `${r.from} -> ${r.to}`).join(', ')}`);
  const redefined = d.addIndexes.filter((a) => d.dropIndexes.some((x) => lower(x.name) === lower(a.name)));
  const added = d.addIndexes.filter((a) => !redefined.includes(a));
  const dropped = d.dropIndexes.filter((x) => !redefined.some((a) => lower(a.name) === lower(x.name)));
  if (added.length) out.push(`missing indexes ${added.map((i) => i.name).join(', ')}`);
  if (dropped.length) out.push(`extra indexes ${dropped.map((i) => i.name).join(', ')}`);
  if (redefined.length) out.push(`redefined indexes ${redefined.map((i) => i.name).join(', ')}`);
  if (d.options) out.push(`table options ${Object.keys(d.options).join(', ')}`);
  if (d.partitioning !== undefined) out.push(d.partitioning === null ? 'partitioning to remove' : 'partitioning differs');
  return out.join('; ');
}
