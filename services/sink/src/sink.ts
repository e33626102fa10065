import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type BatchConsumer,
  type BatchPayload,
  bounded,
  type Component,
  type ConsumedRecord,
  createKafka,
  heartbeatTopic,
  type KafkaClient,
  kafkaRebalanced,
  type Logger,
  ProgressMonitor,
  Registry,
  retry,
  SluiceError,
  tableTopicPattern,
} from '@sluice/core';
import type { PartitionCheckpoint } from './apply/checkpoint-table.ts';
import { stopsSink } from './apply/ddl-rejection.ts';
import type { TargetWriter } from './apply/target-writer.ts';
import type { SinkConfig } from './config.ts';
import { TableTopicConsumer } from './consume/table-topic-consumer.ts';
import { consumerSettings } from './consumer-settings.ts';
import { ChangeDecoder, type TargetChange } from './decode/change-decoder.ts';
import { type DeadLetter, DeadLetterQueue } from './dlq/dead-letter-queue.ts';
import { EventFilter } from './filter/event-filter.ts';
import type { SinkMetrics } from './observe/sink-metrics.ts';
import { planBatch } from './plan/batch-plan.ts';
import { chunkEnd, DECODE_SLICE } from './plan/txn-chunks.ts';
import { withMarkerHeaders } from './rename/marker-headers.ts';
import { isRenameMarker, RenameGate, type RenameWait, waitAfter, waitBefore } from './rename/rename-gate.ts';
import { Router } from './route/router.ts';
import { holdsShard, ShardHolds } from './route/shard-holds.ts';

/** Longest wait between two tries of a target write: it resumes within 2 s of the target coming back. */
const TARGET_RETRY_CAP_MS = 2_000;

/** What the sink needs of its target (TargetWriter; a stand-in in unit tests). */
export type SinkTarget = Pick<TargetWriter, 'apply' | 'markerFloor' | 'renameDone' | 'close'> &
  Partial<Pick<TargetWriter, 'recordStop' | 'clearStop'>> & {
    renameWaits: Pick<TargetWriter['renameWaits'], 'overdue' | 'over'>;
  };

/** The sink's seams besides its target: Kafka (the port) and the decoder of records; built from the config when absent. */
export interface SinkDeps {
  kafka?: KafkaClient;
  decoder?: Pick<ChangeDecoder, 'decode' | 'decodeKnown'>;
}

type Decoded = { message: ConsumedRecord; change: TargetChange } | { message: ConsumedRecord; error: SluiceError };

/**
 * One sink deployment: a consumer group (its name) reading the table topics read_committed,
 * applying each fetched batch to the target in one transaction together with its checkpoint row,
 * then committing the offsets (design contract 5). Retriable errors are retried, never skipped;
 * a record that cannot be decoded or applied goes to the DLQ or stops the sink, by policy.
 */
export class Sink {
  private readonly cfg: SinkConfig;
  private readonly log: Logger;
  private readonly metrics: SinkMetrics;
  private readonly kafka: KafkaClient;
  private readonly writer: SinkTarget;
  private readonly decoder: Pick<ChangeDecoder, 'decode' | 'decodeKnown'>;
  private readonly registry: Registry;
  private readonly router: Router;
  private readonly dlq: DeadLetterQueue;
  private readonly heartbeatTopic: string;
  /** The consumer loop (consume/table-topic-consumer.ts), from run() on. */
  private topics: TableTopicConsumer | undefined;
  private readonly abort = new AbortController();
  private fatal: ((e: Error) => void) | undefined;
  private lastSourceTsMs = 0;
  /** Holds partitions at rename markers until the target table is renamed (rename-gate.ts). */
  private readonly renames: RenameGate;
  private readonly shardHolds: ShardHolds;
  private readonly filter: EventFilter;
  /** Where each stopping error stopped the sink (stopWith), for the stop row. */
  private readonly stoppedAt = new WeakMap<object, { topic: string | null; partition: number | null; offset: string | null }>();
  /** Per topic partition, the offset of the last marker noted in the target (see markerFloor). */
  private readonly floors = new Map<string, bigint | undefined>();
  ready = false;
  /** Outcomes of the sink's own operations with Kafka, the target and the registry (readiness). */
  readonly progress: ProgressMonitor;

  constructor(
    cfg: SinkConfig,
    writer: SinkTarget,
    log: Logger,
    metrics: SinkMetrics,
    progress?: ProgressMonitor,
    deps: SinkDeps = {},
  ) {
    this.cfg = cfg;
    this.progress = progress ?? new ProgressMonitor({ graceMs: cfg.http.readyGraceMs });
    this.log = log;
    this.metrics = metrics;
    this.writer = writer;
    this.kafka =
      deps.kafka ??
      createKafka({
        brokers: cfg.kafka.brokers,
        tls: cfg.kafka.tls,
        sasl: cfg.kafka.sasl,
        clientId: `${cfg.kafka.clientId}-sink-${cfg.sinkName}`,
        log,
      });
    this.registry = new Registry(cfg.schemaRegistry, this.progress.watch('registry'));
    this.decoder = deps.decoder ?? new ChangeDecoder(this.registry, { versions: cfg.staleWriteGuard });
    this.router = new Router(cfg.routes);
    const told = new Set<string>();
    this.filter = new EventFilter(cfg.filters, (table, reason) => {
      this.metrics.filtered.inc({ table, reason });
      // Once per table and reason in the log; the counter has every one.
      if (told.has(`${table}\n${reason}`)) return;
      told.add(`${table}\n${reason}`);
      this.log.info(
        { table, reason },
        'sink filters: a change of this table not applied as it came (counted in sluice_sink_filtered_total)',
      );
    });
    this.dlq = new DeadLetterQueue(this.kafka, cfg.topicPrefix, cfg.sinkName, log);
    this.heartbeatTopic = heartbeatTopic(cfg.topicPrefix);
    this.shardHolds = new ShardHolds(log);
    this.metrics.lagSeconds.reset();
    this.renames = new RenameGate({
      done: (w) => this.writer.renameDone(w.id, w.to),
      current: () => this.topics?.consumer,
      log,
      overdueMs: cfg.renameWaitMs,
      overdue: (w, at) => this.writer.renameWaits.overdue(w, at),
      over: (w) => this.writer.renameWaits.over(w),
    });
  }

  async run(): Promise<void> {
    const pattern = tableTopicPattern(this.cfg.topicPrefix);
    const failed = new Promise<void>((_, reject) => {
      this.fatal = reject;
    });
    // A failure can come before it is awaited below (the first batch may stop the sink while the
    // consumer starts): handled here, so it is never an unhandled rejection that ends the process
    // before the stop is noted in the target.
    failed.catch(() => undefined);
    // A new run: the last stop is history. Cleared before anything is consumed, so that a stop of
    // this run is never cleared by it.
    await bounded(this.writer.clearStop?.() ?? Promise.resolve(), 3000).catch((err) =>
      this.log.warn({ err: String(err) }, 'could not clear the stop row'),
    );
    this.topics = new TableTopicConsumer({
      kafka: this.kafka,
      settings: consumerSettings(this.cfg.sinkName),
      wanted: (t) => pattern.test(t) || t === this.heartbeatTopic,
      parallelism: this.cfg.parallelism,
      refreshMs: this.cfg.topicRefreshMs,
      progress: this.progress,
      log: this.log,
      onBatch: (consumer, p) => this.onBatch(consumer, p),
      fatal: (e) => this.fatal?.(e),
      // Partitions may have moved to other members meanwhile: read the floors again.
      renewing: () => this.floors.clear(),
    });
    await this.topics.start();
    this.ready = true;
    try {
      await failed;
    } catch (err) {
      await this.recordStop(err);
      throw err;
    } finally {
      await this.topics.close();
    }
  }

  /** Commits the offset; false when the group rebalanced meanwhile (the batch will be applied again). */
  private async commit(consumer: BatchConsumer, topic: string, partition: number, offset: string): Promise<boolean> {
    try {
      await consumer.commitOffsets([{ topic, partition, offset }]);
      return true;
    } catch (err) {
      // The group moved on (rebalance): the batch is applied but its offsets are not committed.
      // Whoever owns the partition now applies it again, which idempotent apply makes harmless.
      if (!kafkaRebalanced(err)) throw err;
      this.log.warn({ topic, partition, offset }, 'offsets not committed: the group rebalanced; the batch will be applied again');
      return false;
    }
  }

  /** The last marker noted on the partition (cached; a new consumer reads it again from the target). */
  private async markerFloor(topic: string, partition: number): Promise<bigint | undefined> {
    const key = `${topic}:${partition}`;
    if (!this.floors.has(key)) {
      const floor = await this.targetCall(() => this.writer.markerFloor(topic, partition));
      this.floors.set(key, floor);
    }
    return this.floors.get(key);
  }

  private async onBatch(consumer: BatchConsumer, p: BatchPayload): Promise<void> {
    if (p.batch.messages.length === 0) return;
    // Stay in the group however long the target takes (or stays away): kafkajs throttles these.
    const beat = setInterval(() => void p.heartbeat().catch(() => undefined), 1_000);
    try {
      await this.applyBatch(consumer, p);
      this.shardHolds.released(p.batch.topic, p.batch.partition);
    } catch (err) {
      // A shard of a merged table waits for the others: its partition pauses, nothing of the
      // batch is committed, and on resume it is fetched and applied again (idempotent apply).
      if (!holdsShard(err)) throw err;
      this.shardHolds.hold(p, err as SluiceError);
    } finally {
      clearInterval(beat);
    }
  }

  private async applyBatch(consumer: BatchConsumer, p: BatchPayload): Promise<void> {
    const { batch } = p;
    const started = Date.now();
    const last = batch.messages[batch.messages.length - 1]?.offset as string;
    const next = (BigInt(last) + 1n).toString();
    const base = { sink: this.cfg.sinkName, topic: batch.topic, partition: batch.partition, nextOffset: next };
    /** A rename marker the partition waits at: the batch ends before it (rename-gate.ts). */
    let held: { message: ConsumedRecord; wait: RenameWait } | undefined;

    if (batch.topic === this.heartbeatTopic) {
      const ts = await this.lastHeartbeat(batch.messages);
      await this.applyWithRetry([], [{ ...base, sourcePosition: null, sourceTsMs: ts }]);
      if (ts) this.freshAt(ts);
    } else {
      // Chunks of one target transaction each (with the checkpoint at the chunk's end): the next
      // chunk decodes while the target works on the current one. Kafka offsets move once, below.
      let pending: Promise<DeadLetter[]> | undefined;
      const letters: DeadLetter[] = [];
      const floor = await this.markerFloor(batch.topic, batch.partition);
      try {
        for (let i = 0; i < batch.messages.length && !held; ) {
          let chunk = batch.messages.slice(i, chunkEnd(batch.messages, i, this.cfg.target.maxTxnBytes));
          let decoded: Decoded[] = [];
          for (let k = 0; k < chunk.length; k++) {
            const m = chunk[k] as ConsumedRecord;
            // Let the chunk in flight send its next statement as soon as the target answered one.
            if (pending && k % DECODE_SLICE === DECODE_SLICE - 1) await nextTurn();
            // Applied before a marker noted in the target (a replay after a rename): not again.
            if (floor !== undefined && BigInt(m.offset) < floor) decoded.push({ message: m, change: { kind: 'skip' } });
            else decoded.push(this.decodeKnown(m, batch) ?? (await this.decode(m, batch)));
          }
          // A rename marker ends its chunk: the partition may have to wait for the rename there.
          const r = decoded.findIndex((d) => 'change' in d && isRenameMarker(d.change));
          const gate = r >= 0 ? (decoded[r] as { message: ConsumedRecord; change: TargetChange }) : undefined;
          if (gate) {
            chunk = chunk.slice(0, r + 1);
            decoded = decoded.slice(0, r + 1);
          }
          i += chunk.length;
          const before = gate && waitBefore(gate.change);
          if (gate && before && !(await this.renameReady(before))) {
            held = { message: gate.message, wait: before };
            chunk = chunk.slice(0, -1);
            decoded = decoded.slice(0, -1);
          }
          if (chunk.length === 0) break;
          const nextOffset = (BigInt((chunk[chunk.length - 1] as ConsumedRecord).offset) + 1n).toString();
          if (pending) letters.push(...(await pending));
          pending = this.applyChunk(batch.topic, batch.partition, decoded, { ...base, nextOffset });
          const after: RenameWait | undefined = gate && !held ? waitAfter(gate.change) : undefined;
          if (gate && after) {
            letters.push(...(await pending));
            pending = undefined;
            this.floors.set(`${batch.topic}:${batch.partition}`, BigInt(gate.message.offset));
            // Applied (noted in the target), but the rename waits for the topic's other partitions.
            if (!(await this.renameReady(after))) held = { message: gate.message, wait: after };
          }
        }
      } finally {
        // A decode that stops the sink must not leave the chunk in flight unobserved.
        if (pending) letters.push(...(await pending));
      }
      // The DLQ has them before the offsets move past them.
      await this.dlq.send(letters);
      this.metrics.deadLetters.inc(letters.length);
    }
    if (held) {
      const at = held.message;
      this.renames.hold(consumer, batch.topic, batch.partition, at, held.wait);
      // Offsets up to the marker only: kafkajs fetches again from it on resume.
      const before = batch.messages[batch.messages.indexOf(at) - 1];
      if (!before) return;
      p.resolveOffset(before.offset);
      await this.commit(consumer, batch.topic, batch.partition, at.offset);
      return;
    }
    p.resolveOffset(last);
    if (!(await this.commit(consumer, batch.topic, batch.partition, next))) return;
    this.metrics.batches.inc();
    this.metrics.batchRows.observe(batch.messages.length);
    this.metrics.batchSeconds.observe((Date.now() - started) / 1000);
    this.metrics.lagRecords.set(
      { topic: batch.topic, partition: String(batch.partition) },
      Math.max(0, Number(batch.highWatermark) - Number(next)),
    );
  }

  /** One chunk in one target transaction; records the target refuses become dead letters (or stop the sink). */
  private async applyChunk(
    topic: string,
    partition: number,
    decoded: Decoded[],
    base: Omit<PartitionCheckpoint, 'sourcePosition' | 'sourceTsMs'>,
  ): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    const changes: TargetChange[] = [];
    for (const d of decoded) {
      if ('error' in d) {
        if (this.cfg.onError === 'stop') this.stopWith(d.error, topic, partition, d.message.offset);
        letters.push(this.letter(d.message, d.error, topic, partition, null));
      } else {
        changes.push(d.change);
      }
    }
    const applied = changes.filter((c) => c.kind !== 'skip');
    const lastChange = applied[applied.length - 1];
    const checkpoint: PartitionCheckpoint = {
      ...base,
      sourcePosition: lastChange && 'position' in lastChange ? lastChange.position : null,
      sourceTsMs: lastChange && 'sourceTsMs' in lastChange ? lastChange.sourceTsMs : null,
    };
    try {
      await this.applyWithRetry(changes, [checkpoint]);
    } catch (err) {
      const e = SluiceError.from(err, 'TARGET_REJECTED');
      if (holdsShard(e)) throw e;
      const first = decoded[0]?.message.offset ?? null;
      if (e.retriable || this.cfg.onError === 'stop' || stopsSink(e)) this.stopWith(e, topic, partition, first);
      // Find the records the target refuses: apply one at a time, in order.
      for (const d of decoded) {
        if ('error' in d) continue;
        try {
          await this.applyWithRetry([d.change], []);
        } catch (one) {
          const oe = SluiceError.from(one, 'TARGET_REJECTED');
          if (oe.retriable || stopsSink(oe)) this.stopWith(oe, topic, partition, d.message.offset);
          letters.push(this.letter(d.message, oe, topic, partition, 'position' in d.change ? d.change.position : null));
        }
      }
      await this.applyWithRetry([], [checkpoint]);
    }
    const byKind = new Map<string, number>();
    for (const c of applied) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
    for (const [op, n] of byKind) this.metrics.rows.inc({ op }, n);
    if (checkpoint.sourceTsMs) this.freshAt(checkpoint.sourceTsMs);
    return letters;
  }

  private decodeKnown(message: ConsumedRecord, batch: { topic: string; partition: number }): Decoded | undefined {
    try {
      const change = this.decoder.decodeKnown(message.value);
      return change && this.routed(message, change, batch);
    } catch (err) {
      return this.failed(message, err);
    }
  }

  private async decode(message: ConsumedRecord, batch: { topic: string; partition: number }): Promise<Decoded> {
    try {
      return this.routed(message, await this.decoder.decode(message.value), batch);
    } catch (err) {
      return this.failed(message, err);
    }
  }

  private routed(message: ConsumedRecord, change0: TargetChange, batch: { topic: string; partition: number }): Decoded {
    const decoded = this.filter.apply(change0);
    if (decoded.kind === 'skip') return { message, change: decoded };
    const at = { topic: batch.topic, partition: batch.partition, offset: message.offset };
    const change = withMarkerHeaders(decoded, message.headers, at, this.router);
    if (change.kind === 'skip') return { message, change };
    const table = this.router.route(change.table);
    if (table.shared && (change.kind === 'truncate' || change.kind === 'drop')) {
      // One shard's TRUNCATE or DROP must not empty the table every shard merges into.
      this.log.warn(
        { source: `${change.table.database}.${change.table.table}`, target: `${table.database}.${table.table}`, op: change.kind },
        'table-wide change of one shard not applied to the merged table',
      );
      return { message, change: { kind: 'skip' } };
    }
    return { message, change: table === change.table ? change : { ...change, table } };
  }

  private failed(message: ConsumedRecord, err: unknown): Decoded {
    const e = SluiceError.from(err, 'DECODE_FAILED');
    // A registry outage is not the record's fault: retry the batch rather than dead-letter it.
    if (e.retriable) throw e;
    // Nor is a wrong registry URL: no record could be read, so stop rather than dead-letter them all.
    if (e.code === 'REGISTRY_MISCONFIGURED') {
      this.log.fatal({ code: e.code }, `sink stops: ${e.message}`);
      this.fatal?.(e);
      throw e;
    }
    return { message, error: e };
  }

  private renameReady(w: RenameWait): Promise<boolean> {
    return retry(() => this.renames.ready(w), { signal: this.abort.signal, maxDelayMs: 15_000 });
  }

  private async applyWithRetry(changes: TargetChange[], checkpoints: PartitionCheckpoint[]): Promise<void> {
    const { staleSkipped } = await this.targetCall(
      () => this.writer.apply(planBatch(changes), checkpoints),
      (err, attempt, delay) => {
        this.metrics.retries.inc();
        this.log.warn({ err: (err as Error).message, attempt, delayMs: Math.round(delay) }, 'target write failed; retrying');
      },
    );
    this.metrics.staleSkipped.inc(staleSkipped);
  }

  /**
   * A target operation, retried while its error is retriable (2 s apart at most), its outcome told
   * to readiness: a retriable failure is the target's (or the registry's, for a layout it needs).
   */
  private targetCall<T>(fn: () => Promise<T>, onRetry?: (err: unknown, attempt: number, delay: number) => void): Promise<T> {
    return retry(
      async () => {
        try {
          const r = await fn();
          this.progress.ok('target');
          return r;
        } catch (err) {
          if (err instanceof SluiceError && err.retriable) this.progress.failed(componentOf(err), err);
          throw err;
        }
      },
      { signal: this.abort.signal, maxDelayMs: TARGET_RETRY_CAP_MS, onRetry },
    );
  }

  private async lastHeartbeat(messages: ConsumedRecord[]): Promise<number | null> {
    const m = messages[messages.length - 1];
    if (!m?.value) return null;
    try {
      const { value } = await this.registry.decode(m.value);
      return Number((value as { ts_ms: bigint }).ts_ms);
    } catch {
      return null;
    }
  }

  private freshAt(sourceTsMs: number): void {
    this.lastSourceTsMs = Math.max(this.lastSourceTsMs, sourceTsMs);
    this.metrics.lagSeconds.set(Math.max(0, Date.now() - this.lastSourceTsMs) / 1000);
  }

  private letter(m: ConsumedRecord, error: SluiceError, topic: string, partition: number, position: string | null): DeadLetter {
    return { key: m.key ?? null, value: m.value ?? null, error, topic, partition, offset: m.offset, position };
  }

  private stopWith(err: SluiceError, topic: string, partition: number, offset: string | null): never {
    this.log.fatal({ code: err.code, topic, partition, offset }, `sink stops: ${err.message}`);
    this.stoppedAt.set(err, { topic, partition, offset });
    this.fatal?.(err);
    throw err;
  }

  /** Why the sink stops, noted in the target for `sluice status` (bounded: the target may be down). */
  private async recordStop(err: unknown): Promise<void> {
    if (!this.writer.recordStop) return;
    // Errors not already classified reach here only from the Kafka consumer's crash.
    const e = SluiceError.from(err, 'KAFKA_UNAVAILABLE');
    const at = this.stoppedAt.get(e) ?? { topic: null, partition: null, offset: null };
    await bounded(this.writer.recordStop({ code: e.code, message: e.message, ...at }), 5000).catch((why) =>
      this.log.warn({ err: String(why) }, 'could not note the stop reason in the target'),
    );
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.abort.abort();
    this.renames.stop();
    this.shardHolds.clear();
    // disconnect() waits for the batch in hand: it is applied and committed, or not at all.
    await this.topics?.disconnect();
    await this.dlq.close();
    await this.writer.close().catch(() => undefined);
  }
}

/** The component a retriable error of a target operation stands for. */
function componentOf(err: SluiceError): Component {
  if (err.code.startsWith('REGISTRY_')) return 'registry';
  if (err.code.startsWith('KAFKA_')) return 'kafka';
  return 'target';
}
