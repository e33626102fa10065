import {
  type BatchConsumer,
  type ConsumerEventMap,
  ConsumerLeftError,
  type ConsumerOptions,
  type RunOptions,
} from '../port/consumer.ts';
import type { PartitionOffset } from '../port/records.ts';
import type { FakeKafka, StoredRecord } from './fake-kafka.ts';

type Listener = (payload: never) => void;
type Subscription =
  | { topics: (string | RegExp)[]; fromBeginning?: boolean }
  | { topic: string | RegExp; fromBeginning?: boolean };

/** Records a fake fetch hands over per batch at most. */
const BATCH_RECORDS = 100;

/**
 * A consumer of the fake. run() resolves its topics (like kafkajs: later topics need a new
 * consumer) and then hands over batches whenever records, a resume or a seek make some available,
 * one partition's batches in order. A handler that throws leaves the partition where it was (a
 * crash event with restart tells it) until the next wake; so does a batch the handler neither
 * resolved nor paused. Every partition of its topics is its own: members of a group are not balanced.
 */
export class FakeConsumer implements BatchConsumer {
  private readonly kafka: FakeKafka;
  private readonly options: ConsumerOptions;
  private subscriptions: Subscription[] = [];
  private run_: RunOptions | undefined;
  private topics: string[] = [];
  private readonly positions = new Map<string, bigint>();
  private readonly paused = new Set<string>();
  private readonly listeners = new Map<string, Listener[]>();
  private pumping: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private left = false;

  constructor(kafka: FakeKafka, options: ConsumerOptions) {
    this.kafka = kafka;
    this.options = options;
  }

  async connect(): Promise<void> {
    await this.kafka.operation({ kind: 'connect' });
  }

  async subscribe(subscription: Subscription): Promise<void> {
    this.subscriptions.push(subscription);
  }

  async run(options: RunOptions): Promise<void> {
    this.run_ = options;
    const all = [...this.kafka.topics.keys()];
    const wanted = this.subscriptions.flatMap((s) => ('topics' in s ? s.topics : [s.topic]));
    this.topics = all.filter((t) => wanted.some((w) => (typeof w === 'string' ? w === t : w.test(t))));
    const fromBeginning = this.subscriptions.some((s) => s.fromBeginning);
    const committed = this.kafka.groups.get(this.options.groupId);
    const assignment: Record<string, number[]> = {};
    for (const t of this.topics) {
      const topic = this.kafka.topics.get(t);
      if (!topic) continue;
      assignment[t] = topic.partitions.map((_, p) => p);
      topic.partitions.forEach((log, p) => {
        const key = `${t}:${p}`;
        if (this.positions.has(key)) return;
        const low = topic.low[p] ?? 0;
        const at = committed?.get(key);
        this.positions.set(key, BigInt(at ?? (fromBeginning ? low : low + log.length)));
      });
    }
    this.kafka.consumers.add(this);
    this.emit('group-join', { memberAssignment: assignment });
    this.wake();
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    for (const tp of this.expand(topics)) this.paused.add(tp);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    for (const tp of this.expand(topics)) this.paused.delete(tp);
    this.wake();
  }

  seek(at: PartitionOffset): void {
    this.positions.set(`${at.topic}:${at.partition}`, BigInt(at.offset));
    this.wake();
  }

  async commitOffsets(offsets: PartitionOffset[]): Promise<void> {
    if (this.left) throw new ConsumerLeftError(offsets);
    await this.kafka.operation({ kind: 'commitOffsets' });
    const group = this.kafka.groups.get(this.options.groupId) ?? new Map<string, string>();
    this.kafka.groups.set(this.options.groupId, group);
    for (const o of offsets) group.set(`${o.topic}:${o.partition}`, o.offset);
    this.emit('commit', {});
  }

  on<E extends keyof ConsumerEventMap>(event: E, listener: (payload: ConsumerEventMap[E]) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as Listener]);
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    this.kafka.consumers.delete(this);
    await this.pumping;
    this.left = true;
  }

  /** Hands over what became available (called by the fake on new records). */
  wake(): void {
    if (this.stopped || !this.run_) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Waits for the handing over in progress; true when there was one. */
  async idle(): Promise<boolean> {
    if (!this.pumping) return false;
    await this.pumping;
    return true;
  }

  private async pump(): Promise<void> {
    // Microtasks first: whoever woke the consumer finishes what it was doing.
    await new Promise<void>((r) => setImmediate(r));
    for (let progress = true; progress && !this.stopped; ) {
      progress = false;
      this.emit('fetch', {});
      for (const [key, at] of this.positions) {
        if (this.stopped) return;
        if (this.paused.has(key)) continue;
        const [topic, p] = splitKey(key);
        const t = this.kafka.topics.get(topic);
        const low = BigInt(t?.low[p] ?? 0);
        const messages = (t?.partitions[p] ?? [])
          .filter((m) => BigInt(m.offset) >= at && BigInt(m.offset) >= low)
          .slice(0, BATCH_RECORDS);
        if (!messages.length) continue;
        const end = BigInt(t?.partitions[p]?.length ?? 0) + low;
        if (await this.deliver(topic, p, messages, end)) progress = true;
      }
    }
  }

  /** One batch to the handler; whether the partition's position moved. */
  private async deliver(topic: string, partition: number, messages: StoredRecord[], end: bigint): Promise<boolean> {
    const run = this.run_ as RunOptions;
    const key = `${topic}:${partition}`;
    const before = this.positions.get(key);
    let resolved: bigint | undefined;
    try {
      if (run.eachBatch) {
        await run.eachBatch({
          batch: { topic, partition, highWatermark: String(end), messages },
          resolveOffset: (offset) => {
            resolved = BigInt(offset);
          },
          heartbeat: async () => undefined,
          pause: () => {
            this.paused.add(key);
            return () => this.resume([{ topic, partitions: [partition] }]);
          },
        });
        if (run.eachBatchAutoResolve !== false) resolved = BigInt((messages[messages.length - 1] as { offset: string }).offset);
      } else if (run.eachMessage) {
        for (const message of messages) {
          await run.eachMessage({ topic, partition, message, heartbeat: async () => undefined });
          resolved = BigInt(message.offset);
        }
      }
    } catch (err) {
      this.emit('crash', { error: err as Error, restart: true });
      return false;
    } finally {
      const last = messages[messages.length - 1] as { offset: string };
      this.emit('batch-end', { topic, partition, lastOffset: last.offset });
    }
    // A seek during the batch wins over what the batch resolved.
    if (this.positions.get(key) !== before) return true;
    if (resolved === undefined) return false;
    this.positions.set(key, resolved + 1n);
    return true;
  }

  private expand(topics: { topic: string; partitions?: number[] }[]): string[] {
    return topics.flatMap(({ topic, partitions }) =>
      (partitions ?? this.kafka.topics.get(topic)?.partitions.map((_, p) => p) ?? []).map((p) => `${topic}:${p}`),
    );
  }

  private emit<E extends keyof ConsumerEventMap>(event: E, payload: ConsumerEventMap[E]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: ConsumerEventMap[E]) => void)(payload);
  }
}

function splitKey(key: string): [string, number] {
  const i = key.lastIndexOf(':');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}
