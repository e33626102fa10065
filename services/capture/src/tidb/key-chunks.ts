import type { Tso } from '@sluice/core';
import type { StaleReads } from './read-points.ts';
import { keyText } from './row-diff.ts';
import { boundarySql, chunkChecksumSql, type KeyRange, rowHashesSql, type StaleTable } from './stale-sql.ts';

/** Keys of a range that differ between two read points. */
export interface ChunkDifference {
  /** Present before, gone now. */
  gone: unknown[][];
  /** Absent before, present now. */
  added: unknown[][];
  /** Present at both with a different hash (only when whole rows are hashed). */
  changed: unknown[][];
}

/**
 * The table cut into key ranges of about `chunkRows` rows, compared between two read points by
 * checksums (row count and two CRC sums, computed by TiDB): only ranges whose checksums differ
 * are listed key by key. What is hashed is the key alone (a table with a change column: this
 * finds inserts and deletes) or the whole row (a table without one: every change).
 *
 * The boundaries are kept between cycles (any boundaries cover the whole key space) and cut
 * again when a range has grown past twice its size.
 */
export class KeyChunks {
  private boundaries: unknown[][] | undefined;
  private readonly reads: StaleReads;
  private readonly table: StaleTable;
  private readonly hashed: string[];
  private readonly chunkRows: number;

  constructor(reads: StaleReads, table: StaleTable, hashed: string[], chunkRows: number) {
    this.reads = reads;
    this.table = table;
    this.hashed = hashed;
    this.chunkRows = chunkRows;
  }

  /** Each differing range's keys, range by range in key order. */
  async *differences(prev: Tso, cur: Tso): AsyncGenerator<ChunkDifference> {
    this.boundaries ??= await this.cut(cur);
    let grown = false;
    for (const range of this.ranges()) {
      const [a, b] = await Promise.all([this.checksum(prev, range), this.checksum(cur, range)]);
      if (b.n > 2 * this.chunkRows) grown = true;
      if (a.n === b.n && a.h1 === b.h1 && a.h2 === b.h2) continue;
      yield await this.difference(prev, cur, range);
    }
    if (grown) this.boundaries = undefined;
  }

  /** Forget the boundaries (after a change of the table's layout). */
  reset(): void {
    this.boundaries = undefined;
  }

  private ranges(): KeyRange[] {
    const b = this.boundaries ?? [];
    return [...b, null].map((upTo, i) => ({ after: i === 0 ? null : (b[i - 1] as unknown[]), upTo }));
  }

  private async cut(at: Tso): Promise<unknown[][]> {
    const out: unknown[][] = [];
    let after: unknown[] | null = null;
    for (;;) {
      const [row] = await this.reads.rows(at, boundarySql(this.table, after, this.chunkRows));
      if (!row) return out;
      after = this.table.key.map((k) => row[k]);
      out.push(after);
    }
  }

  private async checksum(at: Tso, range: KeyRange): Promise<{ n: number; h1: string; h2: string }> {
    const [r] = await this.reads.rows(at, chunkChecksumSql(this.table, this.hashed, range));
    return { n: Number(r?.n ?? 0), h1: String(r?.h1 ?? 0), h2: String(r?.h2 ?? 0) };
  }

  private async difference(prev: Tso, cur: Tso, range: KeyRange): Promise<ChunkDifference> {
    const key = this.table.key;
    const stmt = rowHashesSql(this.table, this.hashed, range);
    const [before, now] = await Promise.all([this.reads.rows(prev, stmt), this.reads.rows(cur, stmt)]);
    const hashes = new Map(before.map((r) => [keyText(r, key), r]));
    const out: ChunkDifference = { gone: [], added: [], changed: [] };
    for (const r of now) {
      const k = keyText(r, key);
      const was = hashes.get(k);
      hashes.delete(k);
      if (!was) out.added.push(key.map((c) => r[c]));
      else if (String(was.h) !== String(r.h)) out.changed.push(key.map((c) => r[c]));
    }
    for (const r of hashes.values()) out.gone.push(key.map((c) => r[c]));
    return out;
  }
}
