import { qualified, tableTopicCandidates } from '@sluice/core';
import { listTables, readShape } from '../shared/catalog.ts';
import type { Session } from '../shared/session.ts';
import { readSourcePosition, type SourcePosition } from '../shared/source-position.ts';
import { planComparison } from './comparison.ts';
import { checkDefinition, type DefinitionCheck } from './definition-check.ts';
import { describeRange, type TimeWindow } from './key-range.ts';
import type { RowDiff } from './row-diff.ts';
import { settle } from './row-settle.ts';
import type { PartitionEnd, SinkRef } from './sink-progress.ts';
import { SinkWait } from './sink-wait.ts';
import { columnRules, selectTables, type TableName, type TablePair } from './table-selection.ts';
import { equalChecks, type RangeCheck, TableVerifier } from './table-verifier.ts';
import type { Slice } from './time-slices.ts';

export interface VerifyOptions {
  patterns: string[];
  capture?: { tables: { include: string[]; exclude: string[] }; columns: { exclude: string[]; mask: string[] } };
  routes: { from: string; to: string }[];
  chunkRows: number;
  leafRows: number;
  maxDiffRows: number;
  /** The sink feeding the target: differences are re-checked once it has caught up. */
  sink?: SinkRef;
  /** Partition end offsets in Kafka, when it can be reached: the sink is then through tables that saw no change. */
  kafkaEnds?: (topics: string[]) => Promise<PartitionEnd[]>;
  lagTimeoutMs: number;
  /** Re-checks of a row the source keeps changing before verify gives up on it. */
  settleRounds?: number;
  /** A time-slice verify: only rows whose time column falls in these slices, slice by slice. */
  timeSlices?: { column: string; slices: Slice[] };
  progress: (line: string) => void;
}

export type TableStatus = 'equal' | 'different' | 'missing' | 'skipped';

export interface TableResult {
  source: TableName;
  target: TableName;
  status: TableStatus;
  sourceRows: number;
  targetRows: number;
  chunks: number;
  differentChunks: number;
  diffs: RowDiff[];
  /** More rows differ than --max-diff-rows let verify list. */
  truncated: boolean;
  notes: string[];
  /** The shapes differ in a way that is a difference by itself (a column missing in the target). */
  schemaDiffers: boolean;
  ms: number;
  /** Key column names (for printing diffs). */
  key: string[];
  /** How the target table's definition differs from the source's, and the DDL that repairs it. */
  definition?: DefinitionCheck;
  /** Internal: columns left out of the definition check (excluded or masked by capture). */
  definitionSkip?: Map<string, string>;
  /** Internal: the column shapes alone differ (comparison.ts). */
  shapeDiffers?: boolean;
  /** Internal: the verifier, kept for repairs. */
  verifier?: TableVerifier;
  /** A time-slice verify: the slices where rows differ, with how many. */
  slices?: (Slice & { rows: number })[];
}

export interface VerifyRun {
  start: SourcePosition;
  tables: TableResult[];
  notes: string[];
  ms: number;
}

interface Pending {
  pair: TablePair;
  result: TableResult;
  verifier?: TableVerifier;
  mismatched: RangeCheck[];
}

/**
 * Verify from start to end: read the source position, checksum every table range by range, wait
 * for the sink to pass the start position and re-check what differed (lag is not a difference),
 * then narrow what still differs down to rows.
 */
export async function runVerify(source: Session, target: Session, opts: VerifyOptions): Promise<VerifyRun> {
  const started = Date.now();
  const start = await readSourcePosition(source);
  // Only a heartbeat written after the position was read says the capture passed it.
  const startedMs = Date.now();
  const wait = opts.sink ? new SinkWait(target, opts.sink, opts.kafkaEnds) : undefined;
  const pairs = selectTables(await listTables(source, [opts.sink?.checkpointSchema ?? '_sluice']), {
    patterns: opts.patterns,
    capture: opts.capture?.tables,
    routes: opts.routes,
  });
  const notes: string[] = [];
  const pending: Pending[] = [];
  const results: TableResult[] = [];
  for (const pair of pairs) {
    const p = await checksumTable(source, target, pair, opts);
    results.push(p.result);
    if (p.mismatched.length || p.result.schemaDiffers || p.result.status === 'missing') pending.push(p);
  }
  if (pending.some(lagged)) notes.push(...(await recheckAfterLag(source, target, pending, start, startedMs, opts, wait)));
  // A definition that differed may have been a DDL the sink had not applied yet: read it again.
  for (const p of pending)
    if (p.result.definition?.differences.length) await compareDefinitions(source, target, p.pair, p.result);
  for (const p of pending) {
    const verifier = p.verifier;
    if (!verifier) continue;
    const t0 = Date.now();
    let diffs: RowDiff[] = [];
    for (const c of p.mismatched) {
      if (diffs.length >= opts.maxDiffRows) break;
      opts.progress(`narrowing ${name(p.result.source)} ${describeRange(c.range)}`);
      diffs.push(...(await verifier.narrow(c, opts.maxDiffRows - diffs.length)));
    }
    if (wait && diffs.length) diffs = await settleTable(source, verifier, p, diffs, wait, opts);
    diffs = await verifier.finish(diffs);
    if (opts.timeSlices) p.result.slices = differingSlices(diffs);
    p.result.truncated = diffs.length >= opts.maxDiffRows;
    p.result.diffs = diffs;
    p.result.differentChunks = p.mismatched.length;
    if (p.mismatched.length && !diffs.length) {
      p.result.notes.push(`${p.mismatched.length} ranges differed, but no row did once narrowed: the data changed meanwhile`);
    }
    p.result.status = diffs.length || p.result.schemaDiffers ? 'different' : 'equal';
    p.result.ms += Date.now() - t0;
  }
  return { start, tables: results, notes, ms: Date.now() - started };
}

/**
 * Rows found different while the application writes are mostly rows the sink had not applied
 * yet, or rows changed since their range was read: re-check each against its newest source
 * version once the sink has passed it (row-settle.ts).
 */
async function settleTable(
  source: Session,
  verifier: TableVerifier,
  p: Pending,
  diffs: RowDiff[],
  wait: SinkWait,
  opts: VerifyOptions,
): Promise<RowDiff[]> {
  const topics = [tableTopicCandidates(wait.sink.topicPrefix, p.result.source.database, p.result.source.table)];
  opts.progress(`re-checking ${diffs.length} rows of ${name(p.result.source)} against the source's newest rows`);
  const settled = await settle(
    diffs,
    {
      rowHashes: (side, keys) => verifier.rowHashes(side, keys),
      position: () => readSourcePosition(source),
      sinkPassed: (position, sinceMs) => wait.until(topics, position, sinceMs, Date.now() + opts.lagTimeoutMs),
    },
    opts.settleRounds ?? 5,
  );
  if (settled.sinkLate) {
    p.result.notes.push(
      `sink ${wait.sink.name} did not pass the source position within ${Math.round(opts.lagTimeoutMs / 1000)} s while rows were re-checked: some differences may be replication lag`,
    );
  }
  if (settled.changing.length) {
    const keys = settled.changing.slice(0, 10).map((d) => d.keyText);
    p.result.notes.push(
      `${settled.changing.length} rows changed on the source at every re-check and were not compared (keys ${keys.join(', ')}${settled.changing.length > 10 ? ', ...' : ''}): run verify again`,
    );
  }
  return settled.diffs;
}

async function checksumTable(source: Session, target: Session, pair: TablePair, opts: VerifyOptions): Promise<Pending> {
  const t0 = Date.now();
  const result: TableResult = {
    source: pair.source,
    target: pair.target,
    status: 'equal',
    sourceRows: 0,
    targetRows: 0,
    chunks: 0,
    differentChunks: 0,
    diffs: [],
    truncated: false,
    notes: [],
    schemaDiffers: false,
    ms: 0,
    key: [],
  };
  const none = { pair, result, mismatched: [] };
  if (pair.skip) return { ...none, result: { ...result, status: 'skipped', notes: [pair.skip] } };
  const [sShape, tShape] = await Promise.all([
    readShape(source, pair.source.database, pair.source.table),
    readShape(target, pair.target.database, pair.target.table),
  ]);
  if (!sShape) return { ...none, result: { ...result, status: 'skipped', notes: ['dropped from the source while verify ran'] } };
  if (!tShape) {
    const [row] = await source.rows(`SELECT COUNT(*) FROM ${qualified(pair.source.database, pair.source.table)}`);
    const sourceRows = Number(row?.[0] ?? 0);
    return { ...none, result: { ...result, status: 'missing', sourceRows, notes: ['the target table does not exist'] } };
  }
  if (!sShape.key.length) {
    return {
      ...none,
      result: { ...result, status: 'skipped', notes: ['no primary key or NOT NULL unique key to cut ranges by'] },
    };
  }
  const rules = columnRules(opts.capture?.columns);
  const skip = new Map(
    sShape.columns.flatMap((c) => (rules(pair.source, c.name) ? [[c.name, rules(pair.source, c.name) as string]] : [])),
  );
  const cmp = planComparison(sShape, tShape, { sameFlavor: source.flavor === target.flavor, skip });
  result.key = cmp.key.map((k) => k.name);
  result.notes.push(...cmp.notes);
  result.schemaDiffers = cmp.schemaDiffers;
  result.shapeDiffers = cmp.schemaDiffers;
  const slices = opts.timeSlices;
  if (slices) {
    const has = (cols: { name: string }[]) => cols.some((c) => c.name.toLowerCase() === slices.column.toLowerCase());
    if (!has(sShape.columns) || !has(tShape.columns)) {
      return {
        ...none,
        result: { ...result, status: 'skipped', notes: [`no column ${slices.column}: not part of a time-slice verify`] },
      };
    }
    result.slices = [];
  }
  await compareDefinitions(source, target, pair, result, skip);
  const verifier = new TableVerifier(source, target, cmp, { leafRows: opts.leafRows });
  result.verifier = verifier;
  const mismatched: RangeCheck[] = [];
  // The whole table in key ranges, or each time slice in key ranges of its rows.
  const windows: (TimeWindow | undefined)[] = slices ? slices.slices.map((w) => ({ column: slices.column, ...w })) : [undefined];
  for (const time of windows) {
    let after: unknown[] | null = null;
    for (;;) {
      const upTo = await verifier.nextBoundary(after, opts.chunkRows, time);
      const c = await verifier.check({ after, upTo, time });
      result.chunks++;
      result.sourceRows += c.source.rows;
      result.targetRows += c.target.rows;
      if (!equalChecks(c)) mismatched.push(c);
      opts.progress(
        `${name(pair.source)}: ${result.sourceRows.toLocaleString('en-US')} rows, ${mismatched.length} of ${result.chunks} ranges differ`,
      );
      if (!upTo) break;
      after = upTo;
    }
  }
  if (mismatched.length || cmp.schemaDiffers) result.status = 'different';
  result.differentChunks = mismatched.length;
  result.ms = Date.now() - t0;
  return { pair, result, verifier, mismatched };
}

/** The table's definition compared (definition-check.ts): a difference makes the table differ. */
async function compareDefinitions(
  source: Session,
  target: Session,
  pair: TablePair,
  result: TableResult,
  skip?: Map<string, string>,
): Promise<void> {
  const skipped = skip ?? result.definitionSkip ?? new Map<string, string>();
  result.definitionSkip = skipped;
  const before = result.definition;
  const def = await checkDefinition(source, target, pair, result.key, skipped);
  result.definition = def;
  // What the target kind cannot hold is no difference: the sink logs it once per table.
  const old = new Set((before?.differences ?? []).map((d) => `definition differs: ${d}`));
  result.notes = result.notes.filter((n) => !old.has(n));
  if (!def) return;
  result.notes.push(...def.differences.map((d) => `definition differs: ${d}`));
  result.schemaDiffers = !!result.shapeDiffers || def.differences.length > 0;
}

/** Still differing in a way the sink may yet fix: ranges that differ, or a target table not created yet. */
const lagged = (p: Pending) => p.mismatched.length > 0 || p.result.status === 'missing';

/**
 * A range can differ only because the sink has not applied the latest changes yet, and a target
 * table may not exist yet because the sink has not reached the table's first change. Re-check
 * both until the sink's checkpoints in the target show it has passed the source position read at
 * the start (then once more), or until the timeout.
 */
async function recheckAfterLag(
  source: Session,
  target: Session,
  pending: Pending[],
  start: SourcePosition,
  startedMs: number,
  opts: VerifyOptions,
  wait: SinkWait | undefined,
) {
  if (!opts.sink || !wait) {
    return ['no sink given (--sink-config or --sink): differences were not re-checked for replication lag'];
  }
  const sink = opts.sink;
  const topics = pending
    .filter(lagged)
    .map((p) => tableTopicCandidates(sink.topicPrefix, p.result.source.database, p.result.source.table));
  const deadline = Date.now() + opts.lagTimeoutMs;
  for (;;) {
    const passed = await wait.passed(topics, start, startedMs);
    for (const p of pending) {
      if (p.result.status === 'missing') {
        if (!(await readShape(target, p.pair.target.database, p.pair.target.table))) continue;
        const fresh = await checksumTable(source, target, p.pair, opts);
        Object.assign(p.result, fresh.result);
        p.verifier = fresh.verifier;
        p.mismatched = fresh.mismatched;
        continue;
      }
      const verifier = p.verifier as TableVerifier;
      const still: RangeCheck[] = [];
      for (const c of p.mismatched) {
        opts.progress(`re-checking ${name(p.result.source)} ${describeRange(c.range)} (waiting for sink ${sink.name})`);
        const again = await verifier.check(c.range);
        p.result.sourceRows += again.source.rows - c.source.rows;
        p.result.targetRows += again.target.rows - c.target.rows;
        if (!equalChecks(again)) still.push(again);
      }
      p.mismatched = still;
    }
    if (!pending.some(lagged) || passed) return [];
    if (Date.now() > deadline) {
      return [
        `sink ${sink.name} did not show progress past the start position (${start.gtid ?? start.position}) within ${Math.round(opts.lagTimeoutMs / 1000)} s: some differences may be replication lag`,
      ];
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const name = (t: TableName) => `${t.database}.${t.table}`;

/** The slices the differing rows were found in, in time order, with how many rows each. */
function differingSlices(diffs: RowDiff[]): (Slice & { rows: number })[] {
  const by = new Map<string, Slice & { rows: number }>();
  for (const d of diffs) {
    if (!d.slice) continue;
    const k = `${d.slice.from}|${d.slice.to}`;
    const hit = by.get(k) ?? { ...d.slice, rows: 0 };
    hit.rows++;
    by.set(k, hit);
  }
  return [...by.values()].sort((a, b) => a.from.localeCompare(b.from));
}
