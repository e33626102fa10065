import { heartbeatTopic, type KafkaAdmin } from '@sluice/core';
import type { Session } from '../shared/session.ts';
import type { SourcePosition } from '../shared/source-position.ts';
import { caughtUp, type PartitionEnd, readCheckpoints, type SinkRef } from './sink-progress.ts';

/** Partition end offsets of those of `topics` that exist. */
export function kafkaEnds(admin: KafkaAdmin): (topics: string[]) => Promise<PartitionEnd[]> {
  return async (topics) => {
    const existing = new Set(await admin.listTopics());
    const out: PartitionEnd[] = [];
    for (const topic of topics.filter((t) => existing.has(t))) {
      for (const p of await admin.fetchTopicOffsets(topic)) out.push({ topic, partition: p.partition, high: p.high });
    }
    return out;
  };
}

/**
 * Waits for a sink to have applied a source position for some tables (sink-progress.ts says
 * when), reading its checkpoints in the target and, with Kafka at hand, the partitions' ends.
 */
export class SinkWait {
  readonly sink: SinkRef;
  private readonly target: Session;
  private readonly ends: ((topics: string[]) => Promise<PartitionEnd[]>) | undefined;

  constructor(target: Session, sink: SinkRef, ends?: (topics: string[]) => Promise<PartitionEnd[]>) {
    this.target = target;
    this.sink = sink;
    this.ends = ends;
  }

  /** Whether the sink is through `start` for every table, now. */
  async passed(tables: string[][], start: SourcePosition, sinceMs: number): Promise<boolean> {
    // Checkpoints first, ends after: the ends must be measured once the capture has passed `start`.
    const rows = await readCheckpoints(this.target, this.sink);
    const ends = this.ends ? await this.ends([...new Set(tables.flat())]) : undefined;
    return caughtUp(rows, tables, start, sinceMs, heartbeatTopic(this.sink.topicPrefix), ends);
  }

  /** Polls passed() until true (resolves true) or the deadline (resolves false). */
  async until(tables: string[][], start: SourcePosition, sinceMs: number, deadlineMs: number, pollMs = 200): Promise<boolean> {
    for (;;) {
      if (await this.passed(tables, start, sinceMs)) return true;
      if (Date.now() >= deadlineMs) return false;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
