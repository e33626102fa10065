import {
  type ArchivedRecord,
  type ArchiveFileContents,
  type ArchiveStorage,
  createLogger,
  readArchiveFile,
  retry,
  SluiceError,
  sourcePosition,
} from '@sluice/core';
import { TargetWriter } from '@sluice/sink/src/apply/target-writer.ts';
import { ChangeDecoder, type TargetChange } from '@sluice/sink/src/decode/change-decoder.ts';
import { planBatch } from '@sluice/sink/src/plan/batch-plan.ts';
import { withMarkerHeaders } from '@sluice/sink/src/rename/marker-headers.ts';
import { isRenameMarker, type RenameWait, waitAfter, waitBefore } from '@sluice/sink/src/rename/rename-gate.ts';
import type { Router } from '@sluice/sink/src/route/router.ts';
import { ArchiveSchemas, framed } from './archive-schemas.ts';
import { withinCut } from './cut.ts';
import type { PartitionPlan, RestorePlan, TablePlan } from './plan.ts';
import { mergeBySourceOrder, PartitionCursor } from './source-order.ts';

/**
 * Changes per restore transaction. Decoded changes have no record bytes to bound a transaction
 * by (the sink's chunks end at TXN_BYTES too), so the count stays low enough that wide rows keep
 * a transaction far under TiDB's txn-total-size-limit.
 */
const CHUNK_CHANGES = 2_048;

/** What a restore did. */
export interface RestoreResult {
  baseRows: number;
  archiveRows: number;
  files: number;
  bytes: number;
  ms: number;
}

/**
 * Applies a restore plan to a target through the SQL sink's own pipeline: each archived envelope
 * is decoded by the sink's ChangeDecoder (with the schemas the files carry), routed to its new
 * name, coalesced by planBatch and written by the sink's TargetWriter, which creates databases
 * and tables from the schema's `sluice.*` attributes and follows DDL markers (ALTER TABLE) where
 * they are in the stream, as a sink does. Per table: each partition's base files, then its
 * archive files from the base's end offset up to the cut, in offset (source) order; the
 * partitions of a topic of several are merged into source order (source-order.ts). Transactions
 * of up to 2,048 changes; the next chunk is decoded while the target applies the current one.
 */
export class Restorer {
  private readonly storage: ArchiveStorage;
  private readonly router: Router;
  private readonly writer: TargetWriter;
  private readonly schemas = new ArchiveSchemas();
  private readonly decoder: ChangeDecoder;
  private readonly onProgress: (done: { rows: number; files: number }) => void;
  private rows = 0;
  private files = 0;
  private bytes = 0;

  constructor(opts: {
    storage: ArchiveStorage;
    targetUrl: string;
    router: Router;
    onProgress: (done: { rows: number; files: number }) => void;
  }) {
    this.storage = opts.storage;
    this.router = opts.router;
    this.onProgress = opts.onProgress;
    this.decoder = new ChangeDecoder(this.schemas, { versions: false });
    this.writer = new TargetWriter({
      url: opts.targetUrl,
      poolSize: 2,
      // The writer's own notes (a table created, a column added) only with SLUICE_LOG_LEVEL set: stdout is the report.
      log: createLogger('restore', process.env.SLUICE_LOG_LEVEL ?? 'warn', process.stderr),
      ddl: 'apply',
      sinkName: 'sluice-restore',
    });
  }

  async run(plan: RestorePlan): Promise<RestoreResult> {
    const started = Date.now();
    const done = { base: 0, archive: 0 };
    const queue: TableRun[] = plan.tables.map((t) => {
      const cursors = t.partitions.map((p) => new PartitionCursor(this.partitionFiles(t, p, plan)));
      const records = cursors.length === 1 ? single(cursors[0] as PartitionCursor<Step>) : mergeBySourceOrder(cursors);
      return { name: `${t.db}.${t.table}`, records, after: new Map() };
    });
    try {
      // Table by table; a table whose next change waits for a rename or barrier another table
      // makes (the new name's marker, a statement over two topics) gives way until it is done,
      // as a sink pauses such a partition. Nothing can go on: the maker is not in the restore.
      while (queue.length) {
        let moved = false;
        for (const run of [...queue]) {
          const before = done.base + done.archive;
          if (await this.runTable(run, done)) queue.splice(queue.indexOf(run), 1);
          if (done.base + done.archive > before || !queue.includes(run)) moved = true;
        }
        if (!moved) {
          const waits = queue.map(
            (r) => `${r.name} at a ${r.waiting?.to ? `rename to ${r.waiting.to.database}.${r.waiting.to.table}` : 'barrier'}`,
          );
          throw new SluiceError(
            'RESTORE_REFUSED',
            `tables wait for a rename or statement no restored table makes: ${waits.join('; ')}; restore the tables it comes from too (--tables)`,
          );
        }
      }
    } finally {
      await this.writer.close().catch(() => undefined);
    }
    return { baseRows: done.base, archiveRows: done.archive, files: this.files, bytes: this.bytes, ms: Date.now() - started };
  }

  /**
   * Applies a table's changes until its end (true) or a change that must wait for another
   * table (false: the change is kept for the next turn). Transactions of up to CHUNK_CHANGES
   * changes; the next chunk is decoded while the target applies the one before.
   */
  private async runTable(run: TableRun, done: { base: number; archive: number }): Promise<boolean> {
    let chunk: TargetChange[] = [];
    let pending: Promise<void> | undefined;
    const flush = async () => {
      if (pending) await pending;
      pending = undefined;
      if (!chunk.length) return;
      const changes = chunk;
      chunk = [];
      pending = this.apply(changes);
      // Awaited at the next flush; a failure meanwhile must not count as unhandled.
      pending.catch(() => undefined);
    };
    // Everything pushed so far applied: the first flush sends the chunk, the second waits for it.
    const settled = async () => {
      await flush();
      await flush();
    };
    try {
      if (run.waiting) {
        if (!(await this.writer.renameDone(run.waiting.id, run.waiting.to))) return false;
        run.waiting = undefined;
      }
      for (;;) {
        let step = run.held;
        run.held = undefined;
        if (!step) {
          const next = await run.records.next();
          if (next.done) break;
          step = next.value;
        }
        const c = await this.change(step.r);
        // After a marker its partition waits for the rename or barrier (the other partitions of
        // the table come on in source order and reach it); before one, the new name's marker
        // waits for the rename of the old (another table).
        for (const wait of [run.after.get(step.r.partition), waitBefore(c)]) {
          if (!wait) continue;
          await settled();
          if (!(await this.writer.renameDone(wait.id, wait.to))) {
            run.held = step;
            run.waiting = wait;
            return false;
          }
          if (wait === run.after.get(step.r.partition)) run.after.delete(step.r.partition);
        }
        chunk.push(c);
        if (step.base) done.base++;
        else done.archive++;
        const after = isRenameMarker(c) ? waitAfter(c) : undefined;
        if (after) {
          await settled();
          run.after.set(step.r.partition, after);
        } else if (chunk.length >= CHUNK_CHANGES) await flush();
      }
      await settled();
      return true;
    } finally {
      await pending?.catch(() => undefined);
    }
  }

  /**
   * A partition's files as record iterators: the base's, then the archive's from the base's end
   * offset, up to the first change past the cut (source order: the rest are past it too).
   */
  private async *partitionFiles(t: TablePlan, p: PartitionPlan, plan: RestorePlan): AsyncGenerator<Iterator<Step>> {
    for (const key of t.base.files.filter((k) => partitionOfKey(k) === p.partition)) {
      const file = await this.open(key);
      yield (function* () {
        for (const r of file.records()) yield { r, base: true };
      })();
    }
    const from = BigInt(p.fromOffset);
    const past = { cut: false };
    for (const f of p.files) {
      if (past.cut) return;
      const file = await this.open(f.key);
      const inCut = (r: ArchivedRecord) => this.inCut(plan, r);
      yield (function* () {
        for (const r of file.records()) {
          if (BigInt(r.offset) < from) continue;
          if (!inCut(r)) {
            past.cut = true;
            return;
          }
          yield { r, base: false };
        }
      })();
    }
  }

  private async open(key: string): Promise<ArchiveFileContents> {
    const data = await this.storage.read(key);
    if (!data) throw new SluiceError('NOT_FOUND', `archive file ${key} is listed but not in ${this.storage.location}`);
    const file = readArchiveFile(data, key);
    this.schemas.add(file.schemaId, file.envelopeSchema);
    this.files++;
    this.bytes += data.length;
    return file;
  }

  /**
   * Whether a change is inside the cut. One whose position cannot be compared with the cut's (a
   * DDL marker or snapshot row has no GTID, under a GTID cut) is placed right after the change
   * before it in its partition, which was inside (a partition stops at its first change past the cut).
   */
  private inCut(plan: RestorePlan, r: ArchivedRecord): boolean {
    const s = r.source;
    return withinCut(plan.cut, Number(s.ts_ms), sourcePosition(s), `${s.file}:${s.pos}`) ?? true;
  }

  private async change(r: ArchivedRecord): Promise<TargetChange> {
    const value = framed(r.schemaId, r.envelope);
    const c0 = this.decoder.decodeKnown(value) ?? (await this.decoder.decode(value));
    if (c0.kind === 'skip') return c0;
    // A DDL marker's rename, barrier or partition statement is in its headers, as for a sink (sink.ts).
    const at = { topic: r.topic, partition: r.partition, offset: r.offset };
    const c = withMarkerHeaders(c0, r.headers, at, this.router);
    if (c.kind === 'skip') return c;
    const table = this.router.route(c.table);
    return table === c.table ? c : { ...c, table };
  }

  /** One target transaction (or a few, around DDL); a retriable failure (deadlock, lost connection) is tried again. */
  private async apply(changes: TargetChange[]): Promise<void> {
    await retry(() => this.writer.apply(planBatch(changes), []), { attempts: 10, maxDelayMs: 2_000 });
    this.rows += changes.length;
    this.onProgress({ rows: this.rows, files: this.files });
  }
}

/** A record to apply, and whether it comes from the base. */
type Step = { r: ArchivedRecord; base: boolean };

/** A table being restored: its changes in source order, and what it waits for when it gave way. */
interface TableRun {
  name: string;
  records: AsyncGenerator<Step>;
  /** The change that waits (not applied yet), or after which the table waits (applied). */
  held?: Step;
  waiting?: RenameWait;
  /** Partitions waiting after a marker they applied, until its rename or barrier is done. */
  after: Map<number, RenameWait>;
}

async function* single(c: PartitionCursor<Step>): AsyncGenerator<Step> {
  for (await c.advance(); c.head; await c.advance()) yield c.head;
}

/** The partition of a base file key `…/<partition>-<first offset>.avro`. */
const partitionOfKey = (key: string): number => Number(/(\d+)-\d+\.avro$/.exec(key)?.[1] ?? -1);
