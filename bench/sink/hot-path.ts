/**
 * The sink's CPU per record without Kafka or a target: decode (compiled envelope reader), route,
 * plan (coalesce by key) and build the statements' parameters for BENCH_ROWS (200,000) records of
 * the bench table, in chunks of one target transaction. Deterministic enough to compare changes
 * of the hot path, which the end-to-end bench (make bench-sink) cannot on a noisy machine.
 *
 *   node bench/sink/hot-path.ts        (with deploy/node-flags, as the services run)
 */
import { buildTableAvro, type ChangeEnvelope, exactAvroOptions, type Registry } from '@sluice/core';
import avro from 'avsc';
import { ChangeDecoder, type TargetChange } from '../../services/sink/src/decode/change-decoder.ts';
import { planBatch } from '../../services/sink/src/plan/batch-plan.ts';
import { planStatements } from '../../services/sink/src/plan/statements.ts';
import { TXN_RECORDS } from '../../services/sink/src/plan/txn-chunks.ts';
import { Router } from '../../services/sink/src/route/router.ts';
import { benchTable, rowText } from './rows.ts';

const rows = Number(process.env.BENCH_ROWS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const schema = benchTable('bench');
const table = buildTableAvro('p', schema);
const valueSchema = table.valueSchema as Record<string, unknown>;
const type = avro.Type.forSchema(valueSchema as avro.Schema, { ...exactAvroOptions } as never);
const SCHEMA_ID = 7;

function records(): Buffer[] {
  const out: Buffer[] = [];
  const header = Buffer.from([0, 0, 0, 0, SCHEMA_ID]);
  for (let id = 1; id <= rows; id++) {
    const text = rowText(id);
    const after: Record<string, unknown> = {};
    table.fields.forEach((f, i) => {
      after[f.field] = f.codec.toAvro(text[i]);
    });
    const txn = Math.floor((id - 1) / 1000);
    const env: ChangeEnvelope = {
      before: null,
      after,
      op: 'c',
      ts_ms: 1_700_000_000_000,
      transaction: { id: `0-1-${txn + 1}`, total_order: id, data_collection_order: id },
      source: {
        version: '0.1.0',
        connector: 'sluice',
        name: 'p',
        ts_ms: 1_700_000_000_000 + txn,
        snapshot: 'false',
        db: 'bench',
        sequence: null,
        table: 'events',
        server_id: 1,
        gtid: `0-1-${txn + 1}`,
        file: 'mariadb-bin.000001',
        pos: 4 + txn * 120_000,
        row: (id - 1) % 1000,
        thread: 42,
        query: null,
      },
    };
    out.push(Buffer.concat([header, type.toBuffer(env)]));
  }
  return out;
}

// The decoder asks the registry for a schema once per id; here it is the bench table's.
const registry = { rawSchema: async () => valueSchema } as unknown as Registry;
const decoder = new ChangeDecoder(registry, { versions: false });
const router = new Router([]);
const values = records();
await decoder.decode(values[0] as Buffer);

let sink = 0;
const one = () => {
  const t0 = performance.now();
  for (let i = 0; i < values.length; i += TXN_RECORDS) {
    const changes: TargetChange[] = [];
    for (const v of values.slice(i, i + TXN_RECORDS)) {
      const c = decoder.decodeKnown(v) as TargetChange;
      changes.push(c.kind === 'skip' ? c : { ...c, table: router.route(c.table) });
    }
    for (const plan of planBatch(changes)) for (const st of planStatements(plan, 1024, 15 * 2 ** 20)) sink += st.params.length;
  }
  return ((performance.now() - t0) * 1000) / values.length;
};
one(); // warm-up
const us = Array.from({ length: rounds }, one).sort((a, b) => a - b);
console.log(
  `sink hot path: ${us[Math.floor(us.length / 2)]?.toFixed(2)} µs/record (median of ${rounds}; best ${us[0]?.toFixed(2)}) over ${rows.toLocaleString('en-US')} records [${sink > 0 ? 'ok' : '?'}]`,
);
