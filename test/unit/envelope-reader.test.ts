import { avroName, buildTableAvro, exactAvroOptions, type SqlParam } from '@sluice/core';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileEnvelopeReader } from '../../services/sink/src/decode/envelope-reader.ts';
import { targetTableFromSchema } from '../../services/sink/src/decode/target-table.ts';
import { TYPE_COLUMNS, TYPE_ROWS } from '../support/type-fixture.ts';

// The all-types table as capture describes it; every column nullable but the key.
const avroTable = buildTableAvro('p', {
  database: 'd',
  table: 'alltypes',
  columns: [
    { name: 'id', sqlType: 'bigint(20)', nullable: false },
    ...TYPE_COLUMNS.map((c) => ({ name: c.name, sqlType: c.ddl.toLowerCase(), nullable: true })),
  ],
  primaryKey: ['id'],
});
const schema = avroTable.valueSchema as Record<string, unknown>;
const table = targetTableFromSchema(schema);
const type = avro.Type.forSchema(schema as avro.Schema, { ...exactAvroOptions } as never);
const read = compileEnvelopeReader(schema, table);

const source = (row: number) => ({
  version: '0.1.0',
  connector: 'sluice',
  name: 'p',
  ts_ms: 1_700_000_000_123,
  snapshot: 'false',
  db: 'd',
  sequence: null,
  table: 'alltypes',
  server_id: 1,
  gtid: row % 2 ? '0-1-77' : null,
  file: 'mariadb-bin.000042',
  pos: 2n ** 40n + BigInt(row),
  row,
  thread: null,
  query: null,
});

const image = (r: (typeof TYPE_ROWS)[number]) => {
  const out: Record<string, unknown> = { id: BigInt(r.id) };
  for (const c of TYPE_COLUMNS) out[avroName(c.name)] = r.avro[c.name] ?? null;
  return out;
};

/** The generic path: avsc objects, then each column's codec (what the sink did before). */
const params = (row: Record<string, unknown> | null): SqlParam[] | null =>
  row && table.columns.map((c) => (row[c.field] === null ? null : c.codec.toSql(row[c.field])));

const framed = (value: unknown) => Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), type.toBuffer(value)]);

describe('compiled envelope reader', () => {
  it('compiles the envelope of a table with every supported type', () => {
    expect(read).toBeDefined();
  });

  it.each(TYPE_ROWS.map((r) => [r.id, r]))('row %i: binds exactly what avsc and the codecs bind', (_, r) => {
    for (const op of ['c', 'u', 'd'] as const) {
      const env = {
        before: op === 'c' ? null : image(r),
        after: op === 'd' ? null : image(r),
        source: source(r.id),
        op,
        ts_ms: 1_700_000_000_200,
        transaction: { id: '0-1-77', total_order: 1, data_collection_order: 1 },
      };
      const buf = framed(env);
      const generic = type.decode(buf, 5).value as {
        after: Record<string, unknown> | null;
        before: Record<string, unknown> | null;
        source: unknown;
      };
      const view = read?.(buf, 5);
      expect(view?.op).toBe(op);
      expect(view?.after).toEqual(params(generic.after));
      expect(view?.before).toEqual(params(generic.before));
      const s = generic.source as Record<string, unknown>;
      for (const k of ['ts_ms', 'gtid', 'file', 'pos', 'row']) {
        const v = view?.source[k as 'file'];
        expect(typeof v === 'number' ? BigInt(v) : v).toEqual(typeof s[k] === 'number' ? BigInt(s[k] as number) : s[k]);
      }
    }
  });

  it('refuses a record with bytes beyond its schema, or cut short', () => {
    const env = { before: null, after: image(TYPE_ROWS[0] as (typeof TYPE_ROWS)[number]), source: source(1), op: 'c' };
    const buf = framed(env);
    expect(() => read?.(Buffer.concat([buf, Buffer.from([0])]), 5)).toThrow(/beyond its schema/);
    expect(() => read?.(buf.subarray(0, buf.length - 3), 5)).toThrow(/DECODE|ends early|out of range/i);
  });

  it('leaves shapes it does not know to avsc', () => {
    const odd = { type: 'record', name: 'E', fields: [{ name: 'before', type: ['null', { type: 'map', values: 'string' }] }] };
    expect(compileEnvelopeReader(odd, table)).toBeUndefined();
  });
});
