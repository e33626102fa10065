import {
  type ArchivedRecord,
  type ArchiveStorage,
  createLogger,
  readArchiveFile,
  SluiceError,
  sourcePosition,
} from '@sluice/core';
import { TargetWriter } from '@sluice/sink/src/apply/target-writer.ts';
import { ChangeDecoder, type TargetChange } from '@sluice/sink/src/decode/change-decoder.ts';
import { planBatch } from '@sluice/sink/src/plan/batch-plan.ts';
import { TXN_RECORDS } from '@sluice/sink/src/plan/txn-chunks.ts';
import type { Router } from '@sluice/sink/src/route/router.ts';
import { ArchiveSchemas, framed } from './archive-schemas.ts';
import { describeCut, withinCut } from './cut.ts';
import type { RestorePlan } from './plan.ts';

/** What a restore did. */
export interface RestoreResult {
  baseRows: number;
  archiveRows: number;
  files: number;
  bytes: number;
  ms: number;
}

/** One file of the plan to read, with which of its records to apply. */
interface FileStep {
  key: string;
  /** Archive files: records below this offset are in the base (skipped). */
  fromOffset?: bigint;
  /** Archive files: apply up to the cut, and stop the partition at the first change past it. */
  cut: boolean;
  base: boolean;
}

/**
 * Applies a restore plan to a target through the SQL sink's own pipeline: each archived envelope
 * is decoded by the sink's ChangeDecoder (with the schemas the files carry), routed to its new
 * name, coalesced by planBatch and written by the sink's TargetWriter, which creates databases
 * and tables from the schema's `sluice.*` attributes and follows DDL markers (ALTER TABLE) where
 * they are in the stream, as a sink does. Per table and partition: the base's files, then the
 * archive's from the base's end offset up to the cut, in offset (source) order, in transactions
 * of up to 2,048 changes; the next chunk is read while the target applies the current one.
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
    let baseRows = 0;
    let archiveRows = 0;
    try {
      for (const t of plan.tables) {
        for (const key of t.base.files) baseRows += (await this.applyFile({ key, cut: false, base: true }, plan)).rows;
        for (const p of t.partitions) {
          for (const f of p.files) {
            const n = await this.applyFile({ key: f.key, fromOffset: BigInt(p.fromOffset), cut: true, base: false }, plan);
            archiveRows += n.rows;
            // Source order: the partition's changes after this one are past the cut too.
            if (n.pastCut) break;
          }
        }
      }
    } finally {
      await this.writer.close().catch(() => undefined);
    }
    return { baseRows, archiveRows, files: this.files, bytes: this.bytes, ms: Date.now() - started };
  }

  /** One file's records (those the step takes) applied; pastCut: its partition reached a change after the cut. */
  private async applyFile(step: FileStep, plan: RestorePlan): Promise<{ rows: number; pastCut: boolean }> {
    const data = await this.storage.read(step.key);
    if (!data) throw new SluiceError('NOT_FOUND', `archive file ${step.key} is listed but not in ${this.storage.location}`);
    const file = readArchiveFile(data, step.key);
    this.schemas.add(file.schemaId, file.envelopeSchema);
    let rows = 0;
    let pastCut = false;
    let chunk: TargetChange[] = [];
    let pending: Promise<void> | undefined;
    const flush = async () => {
      if (pending) await pending;
      pending = undefined;
      if (!chunk.length) return;
      const changes = chunk;
      chunk = [];
      pending = this.apply(changes);
    };
    try {
      for (const r of file.records()) {
        if (step.fromOffset !== undefined && BigInt(r.offset) < step.fromOffset) continue;
        if (step.cut && !this.inCut(plan, r)) {
          pastCut = true;
          break;
        }
        chunk.push(await this.change(r));
        rows++;
        if (chunk.length >= TXN_RECORDS) await flush();
      }
      await flush();
      if (pending) await pending;
    } finally {
      await pending?.catch(() => undefined);
    }
    this.files++;
    this.bytes += data.length;
    return { rows, pastCut };
  }

  private inCut(plan: RestorePlan, r: ArchivedRecord): boolean {
    const inside = withinCut(plan.cut, Number(r.source.ts_ms), sourcePosition(r.source));
    if (inside === undefined) {
      throw new SluiceError(
        'CONFIG_INVALID',
        `${r.topic}/${r.partition} offset ${r.offset}: its position ${sourcePosition(r.source)} cannot be compared with ${describeCut(plan.cut)} (another GTID domain or server, or GTID against file:pos)`,
      );
    }
    return inside;
  }

  private async change(r: ArchivedRecord): Promise<TargetChange> {
    const value = framed(r.schemaId, r.envelope);
    const c = this.decoder.decodeKnown(value) ?? (await this.decoder.decode(value));
    if (c.kind === 'skip') return c;
    const table = this.router.route(c.table);
    return table === c.table ? c : { ...c, table };
  }

  private async apply(changes: TargetChange[]): Promise<void> {
    await this.writer.apply(planBatch(changes), []);
    this.rows += changes.length;
    this.onProgress({ rows: this.rows, files: this.files });
  }
}
