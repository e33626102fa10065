import {
  type ColumnDefault,
  canonicalCharset,
  canonicalExtras,
  canonicalType,
  qualified,
  quoteIdent,
  SluiceError,
  sameDefault,
} from '@sluice/core';
import type { RenameHistory, TargetColumn, TargetTable } from '../decode/target-table.ts';
import { columnDef, type TargetTraits, targetSqlType } from './table-ddl.ts';

/** A column of the target table, from its information_schema. */
export interface TargetColumnInfo {
  name: string;
  type: string;
  nullable?: boolean;
  default?: ColumnDefault;
  charset?: string | null;
  collation?: string | null;
  /** COMMENT, AUTO_INCREMENT and ON UPDATE, when read (`extras`): compared only then. */
  extras?: { comment?: string; autoIncrement?: true; onUpdate?: string };
}

/** What makes the target follow one source schema version: renames first, then add, modify, drop. */
export interface SchemaDiff {
  rename: { from: string; to: string }[];
  add: TargetColumn[];
  /** Columns to redefine, as they are to be (with the target's own value of what the source did not know). */
  modify: TargetColumn[];
  drop: string[];
}

/** Integer display widths and spacing are spelling, not type (core's normaliser, shared with verify). */
export const normalizeType = canonicalType;

const lower = (s: string) => s.toLowerCase();

/** Former names of `name` in a history (column names compare case-insensitively). */
const formerNames = (h: RenameHistory | undefined, name: string): string[] =>
  Object.entries(h ?? {}).find(([k]) => lower(k) === lower(name))?.[1] ?? [];

/**
 * How the target table differs from the source schema version a record was written with.
 * Renames come from the source's DDL (`t.renames`), never from guessing: a target column
 * named by a column's former names is renamed to it. `newer` is the newest rename history known
 * (the registry's latest version): a target already past this version has a column whose
 * former names include one of ours, and is renamed back rather than dropped (a replay, or a
 * partition behind the others). A table several source tables merge into is never renamed back
 * and never loses a column: the other sources may still have it. Nor does a past layout (rows
 * written before a later DDL, read from binlog metadata): the target may already hold the later
 * columns with their values, from a snapshot taken after that DDL.
 */
export function diffSchema(t: TargetTable, target: TargetColumnInfo[], traits?: TargetTraits, newer?: RenameHistory): SchemaDiff {
  const have = new Map(target.map((c) => [lower(c.name), c]));
  const want = new Set(t.columns.map((c) => lower(c.name)));
  const rename: SchemaDiff['rename'] = [];
  const move = (from: TargetColumnInfo, to: string) => {
    rename.push({ from: from.name, to });
    have.delete(lower(from.name));
    have.set(lower(to), { ...from, name: to });
  };
  for (const c of t.columns) {
    if (have.has(lower(c.name))) continue;
    const former = formerNames(t.renames, c.name).find((n) => have.has(lower(n)));
    if (former) move(have.get(lower(former)) as TargetColumnInfo, c.name);
  }
  if (!t.shared) {
    for (const c of t.columns) {
      if (have.has(lower(c.name))) continue;
      const ahead = [...have.values()].find(
        (h) =>
          !want.has(lower(h.name)) &&
          [newer, t.renames].some((r) => formerNames(r, h.name).some((n) => lower(n) === lower(c.name))),
      );
      if (ahead) move(ahead, c.name);
    }
  }
  const modify: TargetColumn[] = [];
  for (const c of t.columns) {
    const h = have.get(lower(c.name));
    if (!h) continue;
    const wanted = targetAutoIncrement(c.unknown?.length ? keepTargetAttributes(c, h) : c, h, traits);
    if (differs(wanted, h, traits)) modify.push(wanted);
  }
  return {
    rename,
    add: t.columns.filter((c) => !have.has(lower(c.name))),
    modify,
    drop: t.shared || t.pastLayout ? [] : [...have.values()].filter((h) => !want.has(lower(h.name))).map((h) => h.name),
  };
}

/** TiDB cannot add AUTO_INCREMENT to a column (ALTER): there a column keeps the target's. */
function targetAutoIncrement(c: TargetColumn, h: TargetColumnInfo | undefined, traits?: TargetTraits): TargetColumn {
  if (!traits?.tidb || !!c.autoIncrement === !!h?.extras?.autoIncrement) return c;
  const { autoIncrement: _source, ...rest } = c;
  return h?.extras?.autoIncrement ? { ...rest, autoIncrement: true } : rest;
}

/** A column read from binlog metadata: what the source knew, and the target's own value of the rest. */
function keepTargetAttributes(c: TargetColumn, h: TargetColumnInfo): TargetColumn {
  const unknown = new Set(c.unknown);
  const sameCharset = !c.charset || !h.charset || lower(c.charset) === lower(h.charset);
  // A column known from binlog metadata alone has no comment or extras: the target's stay.
  const bare = !c.comment && !c.autoIncrement && !c.onUpdate;
  return {
    ...c,
    ...(unknown.has('default') && bare ? h.extras : {}),
    nullable: unknown.has('nullable') ? (h.nullable ?? c.nullable) : c.nullable,
    default: unknown.has('default') ? h.default : c.default,
    charset: c.charset ?? h.charset ?? null,
    collation: unknown.has('collation') ? (sameCharset ? (h.collation ?? null) : null) : c.collation,
  };
}

/** The charset or collation the target will really have for `name` (it falls back when it lacks the source's). */
const supported = (name: string | null | undefined, set: Set<string> | undefined): string | undefined =>
  name && (!set || set.has(lower(name))) ? canonicalCharset(name) : undefined;

/** MariaDB's JSON is LONGTEXT (information_schema says longtext): the same column. */
const sameType = (want: string, have: string): boolean => want === have || (want === 'json' && have === 'longtext');

function differs(c: TargetColumn, h: TargetColumnInfo, traits?: TargetTraits): boolean {
  if (!sameType(normalizeType(targetSqlType(c.sqlType, traits)), normalizeType(h.type))) return true;
  if (h.nullable !== undefined && h.nullable !== c.nullable) return true;
  if (!sameDefault(c.default, h.default, c.sqlType)) return true;
  const charset = supported(c.charset, traits?.charsets);
  if (charset && h.charset && charset !== canonicalCharset(h.charset)) return true;
  const collation = charset ? supported(c.collation, traits?.collations) : undefined;
  if (collation && h.collation && collation !== lower(h.collation)) return true;
  return !!h.extras && canonicalExtras(c) !== canonicalExtras(h.extras);
}

export const isEmpty = (d: SchemaDiff): boolean => d.rename.length + d.add.length + d.modify.length + d.drop.length === 0;

/** The renames in an order that never takes a name still in use; a cycle (a swap) is refused. */
function renameOrder(renames: SchemaDiff['rename'], t: TargetTable): SchemaDiff['rename'] {
  const pending = [...renames];
  const out: SchemaDiff['rename'] = [];
  while (pending.length) {
    const i = pending.findIndex((r) => !pending.some((o) => o !== r && lower(o.from) === lower(r.to)));
    if (i < 0) {
      throw new SluiceError(
        'SCHEMA_MISMATCH',
        `target table ${t.database}.${t.table} would need columns swapped (${pending.map((r) => `${r.from} -> ${r.to}`).join(', ')}); rename them in the target by hand`,
      );
    }
    out.push(...pending.splice(i, 1));
  }
  return out;
}

/**
 * The statements that make the target follow the source: one RENAME COLUMN per rename (values
 * stay), then one ALTER TABLE that adds (with the source's NOT NULL and DEFAULT, so existing
 * rows get the default as the source's did, at the source's position), modifies and drops. TiDB
 * cannot place a column after one the same statement adds: there each such ADD is its own ALTER.
 */
export function evolveStatements(t: TargetTable, d: SchemaDiff, target?: TargetTraits): string[] {
  const table = `ALTER TABLE ${qualified(t.database, t.table)}`;
  const out = renameOrder(d.rename, t).map((r) => `${table} RENAME COLUMN ${quoteIdent(r.from)} TO ${quoteIdent(r.to)}`);
  const adding = new Set(d.add.map((c) => lower(c.name)));
  const adds = d.add.map((c) => {
    const i = t.columns.indexOf(c);
    const trailing = t.columns.slice(i).every((n) => adding.has(lower(n.name)));
    const prev = t.columns[i - 1];
    const place = trailing ? '' : prev ? ` AFTER ${quoteIdent(prev.name)}` : ' FIRST';
    // TiDB cannot add an AUTO_INCREMENT column to a table.
    let added = target?.tidb && c.autoIncrement ? { ...c, autoIncrement: undefined } : c;
    // The rows there get what the source's got when it added the column (then the default follows).
    if (fills(c)) added = { ...added, default: c.fill };
    return { sql: `ADD COLUMN ${columnDef(added, target)}${place}`, after: !trailing && prev && adding.has(lower(prev.name)) };
  });
  const refill = d.add.filter(fills).map((c) => `${table} MODIFY COLUMN ${columnDef(c, target)}`);
  const rest = [
    ...d.modify.map((c) => `MODIFY COLUMN ${columnDef(c, target)}`),
    ...d.drop.map((n) => `DROP COLUMN ${quoteIdent(n)}`),
  ];
  if (target?.tidb && adds.some((a) => a.after)) {
    out.push(...adds.map((a) => `${table} ${a.sql}`));
    if (rest.length) out.push(`${table} ${rest.join(', ')}`);
  } else if (adds.length + rest.length) {
    out.push(`${table} ${[...adds.map((a) => a.sql), ...rest].join(', ')}`);
  }
  return [...out, ...refill];
}

/** A column added with the value its old rows got on the source (`fill`), where that value fits it. */
const fills = (c: TargetColumn): boolean =>
  !!c.fill && !(c.fill.kind === 'null' && !c.nullable) && !sameDefault(c.fill, c.default, c.sqlType);

export function describeDiff(d: SchemaDiff): string {
  const out: string[] = [];
  if (d.rename.length) out.push(`renamed columns ${d.rename.map((r) => `${r.from} -> ${r.to}`).join(', ')}`);
  if (d.add.length) out.push(`new columns ${d.add.map((c) => c.name).join(', ')}`);
  if (d.modify.length) out.push(`changed columns ${d.modify.map((c) => `${c.name} -> ${columnDef(c)}`).join(', ')}`);
  if (d.drop.length) out.push(`dropped columns ${d.drop.join(', ')}`);
  return out.join('; ');
}
