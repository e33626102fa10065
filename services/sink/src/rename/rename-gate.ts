import type { BatchConsumer, ConsumedRecord, Logger, RenameHeader } from '@sluice/core';
import type { TargetChange } from '../decode/change-decoder.ts';
import type { TargetName } from '../plan/table-action.ts';

/** A rename to be done in the target (by id, for the target name `to` when known). */
export interface RenameWait {
  id: string;
  to?: TargetName;
  /** The old name, for what the operator is told (the new name's markers only). */
  from?: TargetName;
}

const WARN_EVERY_MS = 60_000;
/** How long the new name's rows wait for a rename before it is an error the operator sees (RENAME_NOT_APPLIED). */
export const RENAME_OVERDUE_MS = 300_000;

type Schema = Extract<TargetChange, { kind: 'schema' }>;
const renameOf = (c: TargetChange): { header: RenameHeader; to: TargetName; from?: TargetName } | undefined =>
  c.kind === 'schema' ? c.rename : undefined;

const barrierOf = (c: TargetChange) =>
  c.kind === 'schema' && c.action?.kind === 'partition'
    ? c.action.barrier
    : c.kind === 'truncate' || c.kind === 'drop' || c.kind === 'schema'
      ? c.barrier
      : undefined;

/** Whether a change is a rename's marker or a barrier (the gate cuts a batch after it). */
export const isRenameMarker = (c: TargetChange): c is Schema => renameOf(c) !== undefined || barrierOf(c) !== undefined;

/**
 * What a rename marker waits for before it is applied: on the new name's topic, the rename
 * (no row of the new name before the target table is renamed); on the old name's topic, the
 * rename before it in the same statement, if any.
 */
export function waitBefore(c: TargetChange): RenameWait | undefined {
  const r = renameOf(c);
  if (!r) return undefined;
  if (r.header.role === 'to') return { id: r.header.id, to: r.to, ...(r.from ? { from: r.from } : {}) };
  return r.header.after ? { id: r.header.after } : undefined;
}

/**
 * What a marker on the old name's topic waits for once applied: the rename itself, which the
 * marker of the topic's last partition to reach it does. Until then the partition stays at the
 * marker, so that nothing after it (a new table of the old name) is applied before the rename.
 */
export function waitAfter(c: TargetChange): RenameWait | undefined {
  const b = barrierOf(c);
  // A partition statement's barrier: done once the last partition to reach it has run the statement.
  // EXCHANGE / CONVERT PARTITION: one move over two topics, done once (apply/partition-moves.ts).
  if (b && c.kind === 'schema' && c.action?.kind === 'partition' && c.action.move) return { id: b.id };
  if (b && c.kind !== 'skip') return { id: b.id, to: { database: c.table.database, table: c.table.table } };
  const r = renameOf(c);
  return r?.header.role === 'from' ? { id: r.header.id, to: r.to } : undefined;
}

/**
 * Holds a partition at a rename marker without blocking the consumer: the batch ends before the
 * marker with its offset unresolved, the partition is paused (kafkajs fetches the others, so a
 * sink with parallelism 1 and the old name's topic to read goes on), and resumed once the rename
 * is done; kafkajs then fetches again from the first unresolved offset, the marker.
 */
export class RenameGate {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly opts: {
    done: (w: RenameWait) => Promise<boolean>;
    current: () => BatchConsumer | undefined;
    log: Logger;
    pollMs?: number;
    /** After this long (RENAME_OVERDUE_MS), a wait of the new name's rows is told once as an error (rename-waits.ts). */
    overdueMs?: number;
    overdue?: (w: RenameWait, at: { topic: string; partition: number; offset: string; waitingSeconds: number }) => Promise<void>;
    /** The wait told overdue is over. */
    over?: (w: RenameWait) => Promise<void>;
  };

  constructor(opts: RenameGate['opts']) {
    this.opts = opts;
  }

  ready(w: RenameWait): Promise<boolean> {
    return this.opts.done(w);
  }

  hold(consumer: BatchConsumer, topic: string, partition: number, at: ConsumedRecord, w: RenameWait): void {
    const tp = [{ topic, partitions: [partition] }];
    consumer.pause(tp);
    this.opts.log.info({ topic, partition, offset: at.offset, rename: w.id }, 'partition waits for a table rename');
    const since = Date.now();
    let told = since;
    let overdue = false;
    const timer = setInterval(() => {
      if (this.opts.current() !== consumer) return this.release(timer);
      this.opts.done(w).then(
        (done) => {
          if (!this.timers.has(timer)) return;
          if (overdue && done) this.opts.over?.(w).catch(() => undefined);
          if (
            !done &&
            !overdue &&
            w.to &&
            this.opts.overdue &&
            Date.now() - since >= (this.opts.overdueMs ?? RENAME_OVERDUE_MS)
          ) {
            overdue = true;
            const waitingSeconds = Math.round((Date.now() - since) / 1000);
            this.opts.overdue(w, { topic, partition, offset: at.offset, waitingSeconds }).catch((err: unknown) => {
              this.opts.log.warn({ err: String(err) }, 'the overdue rename could not be recorded in the target');
            });
          }
          if (!done) {
            // A rename that never comes (its marker dead-lettered, a sink of the other topic stopped) is told, not silent.
            if (Date.now() - told >= WARN_EVERY_MS) {
              told = Date.now();
              this.opts.log.warn(
                { topic, partition, offset: at.offset, rename: w.id, waitingSeconds: Math.round((told - since) / 1000) },
                'partition still waits for a table rename: check that the sink reads the old name topic and applied its marker',
              );
            }
            return;
          }
          this.release(timer);
          // The sink may have replaced its consumer meanwhile (a new topic): the new one fetches
          // the partition from its committed offset, the marker; resuming the old one would throw.
          if (this.opts.current() !== consumer) return;
          try {
            consumer.resume(tp);
          } catch (err) {
            this.opts.log.warn(
              { topic, partition, err: String(err) },
              'could not resume the partition; the next consumer reads it',
            );
            return;
          }
          this.opts.log.info({ topic, partition, rename: w.id }, 'table rename done; partition resumes');
        },
        () => undefined, // the target is away: ask again
      );
    }, this.opts.pollMs ?? 500);
    this.timers.add(timer);
  }

  private release(timer: NodeJS.Timeout): void {
    clearInterval(timer);
    this.timers.delete(timer);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
  }
}
