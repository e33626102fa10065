import type { Session } from '../shared/session.ts';
import {
  boundarySql,
  checksumSql,
  columnTextsSql,
  exactRowsSql,
  rowHashesByKeysSql,
  rowHashesSql,
  type Statement,
  type TableSql,
} from './checksum-sql.ts';
import type { Comparison } from './comparison.ts';
import type { Key, KeyRange, TimeWindow } from './key-range.ts';
import { changedColumns, diffRows, mergeRangeDiffs, type RowDiff, type RowHash } from './row-diff.ts';

/** Row count and hash sum of one range on one side. */
export interface Checksum {
  rows: number;
  hash: string;
}

export interface RangeCheck {
  range: KeyRange;
  source: Checksum;
  target: Checksum;
}

export const equalChecks = (c: RangeCheck): boolean => c.source.rows === c.target.rows && c.source.hash === c.target.hash;

/** Keys per statement when rows are looked up by key. */
const KEY_BATCH = 200;

/**
 * Compares one source table with its target table. Ranges are cut on the source in key order
 * (`chunkRows` rows each) and checksummed on both sides at the same time; a range that differs is
 * halved until it holds at most `leafRows` rows, then compared row by row. Not safe for
 * concurrent use: one session per side, one query at a time on each.
 */
export class TableVerifier {
  readonly cmp: Comparison;
  private readonly source: Session;
  private readonly target: Session;
  private readonly src: TableSql;
  private readonly dst: TableSql;
  private readonly leafRows: number;

  constructor(source: Session, target: Session, cmp: Comparison, opts: { leafRows: number }) {
    this.source = source;
    this.target = target;
    this.cmp = cmp;
    this.leafRows = opts.leafRows;
    this.src = { ...cmp.source, key: cmp.key, columns: cmp.columns };
    this.dst = { ...cmp.target, key: cmp.key, columns: cmp.columns };
  }

  /** The key ending the next range of `rows` rows after `after` on the source, or null at the end. */
  async nextBoundary(after: Key | null, rows: number, time?: TimeWindow): Promise<Key | null> {
    const [row] = await this.source.rows(...stmt(boundarySql(this.src, { after, upTo: null, time }, rows)));
    return row ?? null;
  }

  async check(range: KeyRange): Promise<RangeCheck> {
    const [s, t] = await Promise.all([
      this.source.rows(...stmt(checksumSql(this.src, range))),
      this.target.rows(...stmt(checksumSql(this.dst, range))),
    ]);
    return { range, source: checksum(s[0]), target: checksum(t[0]) };
  }

  /**
   * The differing rows of a range that checked unequal: bisected on the side with more rows
   * until small, then compared row by row. Stops early once `limit` rows were found.
   */
  async narrow(c: RangeCheck, limit: number): Promise<RowDiff[]> {
    const most = Math.max(c.source.rows, c.target.rows);
    if (most <= this.leafRows) return this.rowLevel(c.range);
    const side = c.source.rows >= c.target.rows ? this.source : this.target;
    const sql = boundarySql(side === this.source ? this.src : this.dst, c.range, Math.floor(most / 2));
    const [mid] = await side.rows(...stmt(sql));
    if (!mid) return this.rowLevel(c.range);
    const out: RowDiff[] = [];
    for (const half of [
      { after: c.range.after, upTo: mid, time: c.range.time },
      { after: mid, upTo: c.range.upTo, time: c.range.time },
    ]) {
      if (out.length >= limit) break;
      const h = await this.check(half);
      if (!equalChecks(h)) out.push(...(await this.narrow(h, limit - out.length)));
    }
    return out;
  }

  private async rowLevel(range: KeyRange): Promise<RowDiff[]> {
    const [s, t] = await Promise.all([
      this.source.rows(...stmt(rowHashesSql(this.src, range))),
      this.target.rows(...stmt(rowHashesSql(this.dst, range))),
    ]);
    const diffs = diffRows(s.map(rowHash), t.map(rowHash));
    // A time-slice verify lists the slices that differ: each row says which one it was found in.
    if (range.time) for (const d of diffs) d.slice = { from: range.time.from, to: range.time.to };
    return diffs;
  }

  /** The row hashes of some rows on one side now, by canonical key text (absent rows absent). */
  async rowHashes(side: 'source' | 'target', keys: Key[]): Promise<Map<string, RowHash>> {
    const out = new Map<string, RowHash>();
    const [session, t] = side === 'source' ? [this.source, this.src] : [this.target, this.dst];
    for (let i = 0; i < keys.length; i += KEY_BATCH) {
      for (const r of await session.rows(...stmt(rowHashesByKeysSql(t, keys.slice(i, i + KEY_BATCH))))) {
        const h = rowHash(r);
        out.set(h.keyText, h);
      }
    }
    return out;
  }

  /** Merges the diffs of all ranges and names the differing columns of changed rows. */
  async finish(diffs: RowDiff[]): Promise<RowDiff[]> {
    const merged = mergeRangeDiffs(diffs);
    const changed = merged.filter((d) => d.kind === 'changed');
    const names = this.cmp.columns.map((c) => c.name);
    for (let i = 0; i < changed.length; i += KEY_BATCH) {
      const batch = changed.slice(i, i + KEY_BATCH);
      const keys = batch.map((d) => d.key);
      const [s, t] = await Promise.all([
        this.source.rows(...stmt(columnTextsSql(this.src, keys))),
        this.target.rows(...stmt(columnTextsSql(this.dst, keys))),
      ]);
      const sBy = new Map(s.map((r) => [String(r[0]), r.slice(1)]));
      const tBy = new Map(t.map((r) => [String(r[0]), r.slice(1)]));
      for (const d of batch) d.columns = changedColumns(names, sBy.get(d.keyText) ?? [], tBy.get(d.keyText) ?? []);
    }
    return merged;
  }

  /** Exact source values (the `copy` columns) of the rows a repair writes, by canonical key text. */
  async sourceRows(diffs: RowDiff[]): Promise<Map<string, unknown[]>> {
    const want = diffs.filter((d) => d.kind !== 'extra');
    const out = new Map<string, unknown[]>();
    for (let i = 0; i < want.length; i += KEY_BATCH) {
      const keys = want.slice(i, i + KEY_BATCH).map((d) => d.key);
      for (const r of await this.source.rows(...stmt(exactRowsSql(this.src, this.cmp.copy, keys))))
        out.set(String(r[0]), r.slice(1));
    }
    return out;
  }
}

const stmt = (s: Statement): [string, unknown[]] => [s.sql, s.params];

const checksum = (row: unknown[] | undefined): Checksum => ({ rows: Number(row?.[0] ?? 0), hash: String(row?.[1] ?? '0') });

const rowHash = (r: unknown[]): RowHash => ({ keyText: String(r[0]), hash: String(r[1]), key: r.slice(2) });
