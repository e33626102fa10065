import type { IndexDef, IndexPart, TableOptions, TableStructure } from './table-definition.ts';

/**
 * A table's structure as attributes of the schema's row record: `sluice.indexes`,
 * `sluice.tableOptions`, `sluice.partitioning`. Built with a fixed key order and only what is
 * set, so the same definition always gives the same schema JSON (a new registry version means
 * a real change).
 */
export function structureAttributes(s: TableStructure): Record<string, unknown> {
  return {
    'sluice.indexes': s.indexes.map((i) => ({
      name: i.name,
      kind: i.kind,
      parts: i.parts.map((p) => ({
        column: p.column,
        ...(p.length ? { length: p.length } : {}),
        ...(p.desc ? { desc: true } : {}),
        ...(p.expression !== undefined ? { expression: p.expression } : {}),
      })),
      ...(i.comment ? { comment: i.comment } : {}),
    })),
    'sluice.tableOptions': {
      ...(s.options.comment ? { comment: s.options.comment } : {}),
      ...(s.options.charset ? { charset: s.options.charset } : {}),
      ...(s.options.collation ? { collation: s.options.collation } : {}),
    },
    ...(s.partitioning ? { 'sluice.partitioning': s.partitioning } : {}),
  };
}

const KINDS = new Set(['primary', 'unique', 'index', 'fulltext', 'spatial']);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The structure a row record carries, or undefined when it carries none (a schema registered
 * before definitions travelled, or a layout rebuilt from binlog metadata). What does not have
 * the expected shape is left out: it came from the registry.
 */
export function structureFromAttributes(record: Record<string, unknown>): TableStructure | undefined {
  const raw = record['sluice.indexes'];
  if (!Array.isArray(raw)) return undefined;
  const indexes: IndexDef[] = [];
  for (const r of raw as Record<string, unknown>[]) {
    const name = str(r?.name);
    if (!name || !KINDS.has(String(r.kind)) || !Array.isArray(r.parts)) continue;
    const parts: IndexPart[] = (r.parts as Record<string, unknown>[]).map((p) => ({
      column: str(p?.column) ?? '',
      ...(typeof p?.length === 'number' ? { length: p.length } : {}),
      ...(p?.desc === true ? { desc: true as const } : {}),
      ...(str(p?.expression) !== undefined ? { expression: str(p?.expression) as string } : {}),
    }));
    const comment = str(r.comment);
    indexes.push({ name, kind: r.kind as IndexDef['kind'], parts, ...(comment ? { comment } : {}) });
  }
  const o = (record['sluice.tableOptions'] ?? {}) as Record<string, unknown>;
  const options: TableOptions = {
    ...(str(o.comment) ? { comment: str(o.comment) } : {}),
    ...(str(o.charset) ? { charset: str(o.charset) } : {}),
    ...(str(o.collation) ? { collation: str(o.collation) } : {}),
  };
  const partitioning = str(record['sluice.partitioning']);
  return { indexes, options, ...(partitioning ? { partitioning } : {}) };
}
