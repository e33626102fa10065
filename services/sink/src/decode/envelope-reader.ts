import { AvroReader, decimalText, SluiceError, type SqlParam } from '@sluice/core';
import type { TargetTable } from './target-table.ts';

/** The parts of a change envelope the sink uses, with row images already as SQL parameters. */
export interface EnvelopeView {
  op: string;
  before: SqlParam[] | null;
  after: SqlParam[] | null;
  source: { ts_ms: number | bigint; gtid: string | null; file: string; pos: number | bigint; row: number; query?: string | null };
}

type Read = (r: AvroReader) => unknown;
type Names = Map<string, Read>;

/** The source block fields the sink uses; the others are skipped, not decoded (strings cost). */
const SOURCE_FIELDS = new Set(['ts_ms', 'gtid', 'file', 'pos', 'row', 'query']);
type Schema = string | Schema[] | { [k: string]: unknown };

/**
 * Compiles a reader for one writer schema of a table topic that decodes a record's bytes straight
 * into SQL parameters: no intermediate Avro objects, no BigInt unless a value needs it. Values
 * are those avsc with exactAvroOptions gives, passed through the same column codecs, so both paths
 * bind the same parameters. Returns undefined for a schema shape it does not know (the caller
 * then decodes with avsc).
 */
export function compileEnvelopeReader(
  schema: Record<string, unknown>,
  table: TargetTable,
): ((buf: Buffer, offset: number) => EnvelopeView) | undefined {
  const fields = schema.fields as { name: string; type: Schema }[] | undefined;
  if (schema.type !== 'record' || !fields) return undefined;
  const names: Names = new Map();
  const readers: { name: string; read: Read }[] = [];
  for (const f of fields) {
    const read =
      f.name === 'before' || f.name === 'after'
        ? rowImage(f.type, table, names)
        : f.name === 'source'
          ? compile(f.type, names, SOURCE_FIELDS)
          : f.name === 'op'
            ? compile(f.type, names)
            : skipper(f.type, names);
    if (!read) return undefined;
    readers.push({ name: f.name, read });
  }
  return (buf, offset) => {
    const r = new AvroReader(buf, offset);
    const out: Record<string, unknown> = {};
    for (const f of readers) out[f.name] = f.read(r);
    if (r.pos !== buf.length) {
      throw new SluiceError('DECODE_FAILED', `record has ${buf.length - r.pos} bytes beyond its schema`);
    }
    return out as unknown as EnvelopeView;
  };
}

/** ["null", <row record>] -> null or the row as parameters, in the table's column order. */
function rowImage(type: Schema, table: TargetTable, names: Names): Read | undefined {
  if (!Array.isArray(type) || type.length !== 2 || type[0] !== 'null') return undefined;
  const rec = type[1];
  if (typeof rec === 'string') {
    // `after` names the record `before` defined: its compiled row reader.
    const known = names.get(rec);
    return known ? (r) => (r.smallLong() === 0 ? null : known(r)) : undefined;
  }
  if (typeof rec !== 'object' || Array.isArray(rec) || rec.type !== 'record') return undefined;
  const fields = rec.fields as { type: Schema }[];
  if (fields.length !== table.columns.length) return undefined;
  const reads = fields.map((f) => compile(f.type, names));
  if (reads.some((x) => !x)) return undefined;
  const columns = reads as Read[];
  const codecs = table.columns.map((c) => c.codec);
  const width = columns.length;
  const row: Read = (r) => {
    const out: SqlParam[] = new Array(width);
    for (let i = 0; i < width; i++) {
      const v = (columns[i] as Read)(r);
      out[i] = v === null ? null : (codecs[i] as (typeof codecs)[number]).toSql(v);
    }
    return out;
  };
  name(rec, names, row);
  return (r) => (r.smallLong() === 0 ? null : row(r));
}

/** `only`: of a record, decode these fields and skip the rest. */
function compile(type: Schema, names: Names, only?: Set<string>): Read | undefined {
  if (typeof type === 'string') return primitive(type) ?? names.get(type);
  if (Array.isArray(type)) return union(type.map((t) => compile(t, names)));
  switch (type.type) {
    case 'record': {
      const fields = (type.fields as { name: string; type: Schema }[]).map((f) => {
        const keep = !only || only.has(f.name);
        return { name: f.name, keep, read: keep ? compile(f.type, names) : skipper(f.type, names) };
      });
      if (fields.some((f) => !f.read)) return undefined;
      const read: Read = (r) => {
        const out: Record<string, unknown> = {};
        for (const f of fields) {
          const v = (f.read as Read)(r);
          if (f.keep) out[f.name] = v;
        }
        return out;
      };
      // A partial reader must not stand in for the type where it is referenced by name.
      if (!only) name(type, names, read);
      return read;
    }
    case 'enum': {
      const symbols = type.symbols as string[];
      const read: Read = (r) => symbols[r.int()];
      name(type, names, read);
      return read;
    }
    case 'bytes':
      if (type.logicalType === 'decimal') {
        const scale = Number(type.scale ?? 0);
        return (r) => decimalText(r.bytes(), scale);
      }
      return primitive('bytes');
    default:
      // Other logical types (date, connect.name annotations) read as their underlying type, as in avsc.
      return typeof type.type === 'string' && type.type !== 'fixed' && type.type !== 'array' && type.type !== 'map'
        ? compile(type.type, names)
        : undefined;
  }
}

/** A reader that moves past a value without building it. */
function skipper(type: Schema, names: Names): Read | undefined {
  if (typeof type === 'string') {
    if (type === 'string' || type === 'bytes') return (r) => void r.span();
    return primitive(type) ?? names.get(type);
  }
  if (Array.isArray(type)) return union(type.map((t) => skipper(t, names)));
  if (type.type === 'record') {
    // Compiled in full once, so that the type's name resolves for later references.
    const full = compile(type, names);
    const fields = (type.fields as { type: Schema }[]).map((f) => skipper(f.type, names));
    if (!full || fields.some((f) => !f)) return undefined;
    return (r) => {
      for (const f of fields) (f as Read)(r);
    };
  }
  return compile(type, names);
}

/** A union: the branch index, then that branch's value. */
function union(branches: (Read | undefined)[]): Read | undefined {
  if (branches.some((b) => !b)) return undefined;
  return (r) => {
    const b = branches[r.smallLong()];
    if (!b) throw new SluiceError('DECODE_FAILED', 'union branch out of range');
    return b(r);
  };
}

function name(type: { [k: string]: unknown }, names: Names, read: Read): void {
  const short = String(type.name);
  names.set(short, read);
  if (type.namespace) names.set(`${type.namespace}.${short}`, read);
}

function primitive(type: string): Read | undefined {
  switch (type) {
    case 'null':
      return () => null;
    case 'boolean':
      return (r) => r.boolean();
    case 'int':
      return (r) => r.int();
    case 'long':
      return (r) => r.long();
    case 'float':
      return (r) => r.float();
    case 'double':
      return (r) => r.double();
    case 'bytes':
      return (r) => r.bytes();
    case 'string':
      return (r) => r.string();
    default:
      return undefined;
  }
}
