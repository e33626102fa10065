import { errnoOf } from './target-errors.ts';

/**
 * How the sink's apply transaction begins.
 *
 * On TiDB, optimistically: a pessimistic transaction (TiDB's default for explicit ones) first
 * locks every key it writes, a round to the storage layer per statement that an autocommit
 * upsert does not pay. In make bench-sink (1M rows into TiDB) that was 17.6 against 14.3 TiDB
 * CPU s and 0.65 against 0.80 of the plain upsert loop. Optimistic is safe here because one sink
 * member writes a partition's rows and its own checkpoint rows at a time: a write conflict needs
 * a writer outside the sink (or a rebalance overlap), and TiDB reports it at COMMIT as 9007,
 * which the sink retries as a whole (target-errors.ts) and applies again idempotently. MySQL and
 * MariaDB read `/*T! ... *\/` as a comment, that is a plain BEGIN.
 *
 * With the stale-write guard the transaction stays pessimistic: the guard's FOR UPDATE reads of
 * row and table versions must wait for a concurrent TRUNCATE's transaction, not race it.
 */
export const beginApplySql = (staleWriteGuard: boolean): string =>
  staleWriteGuard ? 'START TRANSACTION' : 'BEGIN /*T! OPTIMISTIC */';

/** TiDB's write conflicts: at COMMIT of an optimistic transaction, and of SELECT ... FOR UPDATE. */
const WRITE_CONFLICTS = new Set([9007, 8002]);

/**
 * How each apply transaction begins: as beginApplySql says, except after a write conflict. Then
 * the transactions that follow lock their keys as they write (pessimistic) until one commits, so
 * that an outside writer that keeps changing the same rows (an application writing a
 * bidirectional target) makes the sink wait for its locks once rather than retry without end.
 */
export class ApplyTransactionMode {
  private readonly staleWriteGuard: boolean;
  private conflicted = false;

  constructor(staleWriteGuard: boolean) {
    this.staleWriteGuard = staleWriteGuard;
  }

  begin(): string {
    return beginApplySql(this.staleWriteGuard || this.conflicted);
  }

  failed(err: unknown): void {
    if (WRITE_CONFLICTS.has(errnoOf(err))) this.conflicted = true;
  }

  committed(): void {
    this.conflicted = false;
  }
}
