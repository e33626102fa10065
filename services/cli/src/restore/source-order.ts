import { type ArchivedRecord, BinlogPosition } from '@sluice/core';

const GTID_MARIA = /^(\d+)-\d+-(\d+)$/;
const GTID_MYSQL = /^([0-9a-f-]{36}):(\d+)$/i;

/**
 * The source's order of two changes of one table read from different partitions: by GTID
 * sequence when both carry one of the same MariaDB domain or MySQL server; else by binlog file
 * and position, which every change of a binlog capture carries (DDL markers and snapshot rows
 * have no GTID: their file:pos places them); else by source time. Changes of one transaction
 * compare equal (they touch different keys).
 */
export function sourceOrder(a: ArchivedRecord, b: ArchivedRecord): number {
  const ga = a.source.gtid ? (GTID_MARIA.exec(a.source.gtid) ?? GTID_MYSQL.exec(a.source.gtid)) : null;
  const gb = b.source.gtid ? (GTID_MARIA.exec(b.source.gtid) ?? GTID_MYSQL.exec(b.source.gtid)) : null;
  if (ga && gb && (ga[1] as string).toLowerCase() === (gb[1] as string).toLowerCase()) {
    const d = BigInt(ga[2] as string) - BigInt(gb[2] as string);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  const fa = filePos(a);
  const fb = filePos(b);
  if (fa && fb) return fa.compare(fb);
  return Math.sign(Number(a.source.ts_ms) - Number(b.source.ts_ms));
}

function filePos(r: ArchivedRecord): BinlogPosition | undefined {
  try {
    return new BinlogPosition(r.source.file, Number(r.source.pos));
  } catch {
    return undefined;
  }
}

/** Records of one partition in offset order, file by file (each file's records read synchronously). */
export class PartitionCursor<T extends { r: ArchivedRecord }> {
  head: T | undefined;
  private current: Iterator<T> | undefined;
  private readonly files: AsyncIterator<Iterator<T>>;

  constructor(files: AsyncIterator<Iterator<T>>) {
    this.files = files;
  }

  /** Moves to the next record; head is undefined at the end. */
  async advance(): Promise<void> {
    for (;;) {
      const n = this.current?.next();
      if (n && !n.done) {
        this.head = n.value;
        return;
      }
      const f = await this.files.next();
      if (f.done) {
        this.head = undefined;
        return;
      }
      this.current = f.value;
    }
  }
}

/**
 * The records of a table's partitions merged into source order (each partition is in it
 * already): so a DDL marker, which every partition carries, is met once all rows before it are
 * applied and before any row after it, as a sink's barrier does.
 */
export async function* mergeBySourceOrder<T extends { r: ArchivedRecord }>(cursors: PartitionCursor<T>[]): AsyncGenerator<T> {
  for (const c of cursors) await c.advance();
  for (;;) {
    let min: PartitionCursor<T> | undefined;
    for (const c of cursors) {
      if (c.head && (!min?.head || sourceOrder(c.head.r, min.head.r) < 0)) min = c;
    }
    if (!min?.head) return;
    yield min.head;
    await min.advance();
  }
}
