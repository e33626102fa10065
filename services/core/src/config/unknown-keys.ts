import type { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';

export type ConfigPath = (string | number)[];

export interface UnknownKey {
  path: ConfigPath;
  message: string;
}

/** The parts of a zod 4 schema definition the walk reads (schema._zod.def). */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Wrappers that hold one schema and add nothing about keys: default, optional, refine'd pipes... */
function unwrap(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  if (def.innerType) return unwrap(def.innerType);
  // A pipe is checked on its input, unless that is a preprocessing transform (z.preprocess).
  if (def.type === 'pipe' && def.in && def.out) return unwrap(defOf(def.in).type === 'transform' ? def.out : def.in);
  if (def.type === 'lazy' && def.getter) return unwrap(def.getter());
  return schema;
}

/** The fields an object-like schema declares, or undefined when it takes any key (loose objects). */
function fieldsOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(unwrap(schema));
  if (def.type === 'object') {
    const loose = def.catchall && defOf(def.catchall).type !== 'never';
    return loose ? undefined : (def.shape ?? {});
  }
  if (def.type === 'intersection' && def.left && def.right) {
    const left = fieldsOf(def.left);
    const right = fieldsOf(def.right);
    return left && right ? { ...left, ...right } : undefined;
  }
  return undefined;
}

/**
 * Every key in `value` that `schema` does not declare, at any depth (through arrays, records,
 * unions, defaults, optionals and pipes), each with the key probably meant: a sibling spelled
 * alike, or the same name elsewhere in the schema (a key indented at the wrong level). zod's own
 * objects strip such keys silently; a field added to a schema later is known here at once.
 */
export function unknownKeys(schema: z.ZodType, value: unknown): UnknownKey[] {
  const out: UnknownKey[] = [];
  walk(schema, value, [], out, knownPaths(schema));
  return out;
}

function walk(schema: z.ZodType, value: unknown, path: ConfigPath, out: UnknownKey[], everywhere: string[][]): void {
  const s = unwrap(schema);
  const def = defOf(s);
  switch (def.type) {
    case 'object':
    case 'intersection': {
      if (!isPlainObject(value)) return;
      const fields = fieldsOf(s);
      if (!fields) return;
      for (const [key, v] of Object.entries(value)) {
        const field = fields[key];
        if (field) walk(field, v, [...path, key], out, everywhere);
        else out.push({ path: [...path, key], message: unknownMessage(key, Object.keys(fields), path, everywhere) });
      }
      return;
    }
    case 'array':
      if (Array.isArray(value) && def.element)
        for (const [i, v] of value.entries()) walk(def.element, v, [...path, i], out, everywhere);
      return;
    case 'tuple':
      if (!Array.isArray(value)) return;
      for (const [i, v] of value.entries()) {
        const item = def.items?.[i] ?? def.rest;
        if (item) walk(item, v, [...path, i], out, everywhere);
      }
      return;
    case 'record':
      // Record keys are data (`keys: { "db.table": [...] }`); only their values have a shape.
      if (isPlainObject(value) && def.valueType)
        for (const [key, v] of Object.entries(value)) walk(def.valueType, v, [...path, key], out, everywhere);
      return;
    case 'union':
      walkUnion(def.options ?? [], value, path, out, everywhere);
      return;
  }
}

/**
 * The branch the value is meant for: of the branches it satisfies, the one with the fewest unknown
 * keys; when it satisfies none, an object is checked against the keys of all object branches.
 */
function walkUnion(options: z.ZodType[], value: unknown, path: ConfigPath, out: UnknownKey[], everywhere: string[][]): void {
  let best: UnknownKey[] | undefined;
  for (const option of options) {
    if (!option.safeParse(value).success) continue;
    const found: UnknownKey[] = [];
    walk(option, value, path, found, everywhere);
    if (!best || found.length < best.length) best = found;
  }
  if (best) {
    out.push(...best);
    return;
  }
  if (!isPlainObject(value)) return;
  const objects = options.map(fieldsOf).filter((f): f is Record<string, z.ZodType> => f !== undefined);
  if (objects.length === 0) return;
  const fields: Record<string, z.ZodType> = Object.assign({}, ...[...objects].reverse());
  for (const [key, v] of Object.entries(value)) {
    const field = fields[key];
    if (field) walk(field, v, [...path, key], out, everywhere);
    else out.push({ path: [...path, key], message: unknownMessage(key, Object.keys(fields), path, everywhere) });
  }
}

function unknownMessage(key: string, siblings: string[], parent: ConfigPath, everywhere: string[][]): string {
  const sibling = didYouMean(key, siblings);
  if (sibling !== undefined) return `unknown key; did you mean ${sibling}?`;
  const elsewhere = misplaced(key, parent, everywhere);
  if (elsewhere) return `unknown key at this level; did you mean ${elsewhere}?`;
  return siblings.length > 0 ? `unknown key (known here: ${siblings.join(', ')})` : 'unknown key';
}

/** The dotted path where a key of this name (in any case) is declared, if it is declared once elsewhere. */
function misplaced(key: string, parent: ConfigPath, everywhere: string[][]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const here = parent.filter((p) => typeof p === 'string').join('.');
  const hits = everywhere.filter((p) => norm(p[p.length - 1] as string) === norm(key) && p.slice(0, -1).join('.') !== here);
  return hits.length === 1 ? (hits[0] as string[]).join('.') : undefined;
}

/** The dotted field paths a schema declares (array items and record values add no segment). */
function knownPaths(schema: z.ZodType, prefix: string[] = [], within = new Set<z.ZodType>()): string[][] {
  const s = unwrap(schema);
  // A recursive (lazy) schema would never end: each schema once per branch.
  if (within.has(s)) return [];
  const inner = new Set(within).add(s);
  const def = defOf(s);
  const fields = fieldsOf(s);
  if (fields) return Object.entries(fields).flatMap(([k, f]) => [[...prefix, k], ...knownPaths(f, [...prefix, k], inner)]);
  if (def.type === 'array' && def.element) return knownPaths(def.element, prefix, inner);
  if (def.type === 'record' && def.valueType) return knownPaths(def.valueType, prefix, inner);
  if (def.type === 'union') return (def.options ?? []).flatMap((o) => knownPaths(o, prefix, inner));
  return [];
}
