import { SPATIAL_TYPES } from '@sluice/core';
import { type ColumnKind, canonicalExpr, exactValueExpr, kindOf } from './canonical.ts';

/** A column as information_schema describes it. */
export interface ColumnInfo {
  name: string;
  dataType: string;
  columnType: string;
}

/** A table's shape on one server: columns in order and its key (primary, else a NOT NULL unique key). */
export interface TableShape {
  database: string;
  table: string;
  columns: ColumnInfo[];
  key: string[];
}

export interface ComparedColumn {
  name: string;
  kind: ColumnKind;
  /** The same SQL text runs on both sides and must print the same for equal values. */
  canonical: string;
  /** How to read the exact value back (keys as parameters, rows for repairs). */
  exact: string;
}

/** What verify compares for one source table and its target table. */
export interface Comparison {
  source: { database: string; table: string };
  target: { database: string; table: string };
  key: ComparedColumn[];
  /** Every compared column, key columns included, in source order. */
  columns: ComparedColumn[];
  /**
   * What a repair copies: every column both sides have and capture publishes, compared or not
   * (a native JSON column cannot be compared across flavours but must still be copied).
   */
  copy: { name: string; exact: string }[];
  /** Columns left out or differing in shape, one line each. */
  notes: string[];
  /** True when the shapes differ in a way that is itself a difference (a column missing in the target). */
  schemaDiffers: boolean;
}

/**
 * Decides, column by column, what can be compared and with which expression. A column is
 * compared only when both sides store it in a form whose canonical text is the same: native JSON
 * is rendered differently by MySQL and TiDB (key order, `100.0` vs `100`), so it is compared only
 * between servers of the same flavour; MariaDB's JSON is text and always compared.
 */
export function planComparison(
  source: TableShape,
  target: TableShape,
  opts: { sameFlavor: boolean; skip?: Map<string, string> },
): Comparison {
  const notes: string[] = [];
  let schemaDiffers = false;
  const targetCols = new Map(target.columns.map((c) => [c.name.toLowerCase(), c]));
  const columns: ComparedColumn[] = [];
  const copy: { name: string; exact: string }[] = [];
  for (const sc of source.columns) {
    const isKey = source.key.includes(sc.name);
    const skipReason = opts.skip?.get(sc.name);
    if (skipReason && !isKey) {
      notes.push(`${sc.name}: not compared (${skipReason})`);
      continue;
    }
    const tc = targetCols.get(sc.name.toLowerCase());
    if (!tc) {
      notes.push(`${sc.name}: missing in the target`);
      schemaDiffers = true;
      continue;
    }
    const sk = kindOf(sc.dataType);
    const tk = kindOf(tc.dataType);
    copy.push({ name: sc.name, exact: exactValueExpr(sc.name, sk) });
    if (sk === 'json' || tk === 'json') {
      if (sk !== tk || !opts.sameFlavor) {
        notes.push(
          `${sc.name}: not compared (JSON stored as ${sc.columnType} on the source and ${tc.columnType} on the target; servers render it differently)`,
        );
        continue;
      }
    } else if (sk !== tk) {
      notes.push(`${sc.name}: ${sc.columnType} on the source, ${tc.columnType} on the target`);
    } else if (sc.columnType.toLowerCase() !== tc.columnType.toLowerCase() && !sameDisplay(sc.columnType, tc.columnType)) {
      notes.push(`${sc.name}: ${sc.columnType} on the source, ${tc.columnType} on the target`);
    }
    if (sk === 'unsupported') {
      notes.push(`${sc.name}: not compared (type ${sc.columnType} has no canonical form)`);
      continue;
    }
    columns.push({
      name: sc.name,
      kind: sk,
      canonical: canonicalExpr(sc.name, sk) as string,
      exact: exactValueExpr(sc.name, sk),
    });
  }
  for (const tc of target.columns) {
    if (!source.columns.some((sc) => sc.name.toLowerCase() === tc.name.toLowerCase())) {
      notes.push(`${tc.name}: only in the target, not compared`);
    }
  }
  const key = source.key.map((k) => columns.find((c) => c.name === k)).filter((c): c is ComparedColumn => !!c);
  return {
    source: { database: source.database, table: source.table },
    target: { database: target.database, table: target.table },
    key,
    columns,
    copy,
    notes,
    schemaDiffers,
  };
}

/** `int(11)` and `int` are the same type; only integer display widths are ignored. */
/**
 * Same type, spelled differently, or the mapping the sink makes on purpose: spatial columns are
 * LONGBLOB (same bytes) on a target without spatial types (TiDB).
 */
function sameDisplay(a: string, b: string): boolean {
  const strip = (t: string) =>
    t
      .toLowerCase()
      .replace(/^(tinyint|smallint|mediumint|int|integer|bigint|year)\(\d+\)/, '$1')
      .replace(/^geomcollection$/, 'geometrycollection');
  if (SPATIAL_TYPES.has(strip(a)) && strip(b) === 'longblob') return true;
  return strip(a) === strip(b);
}
