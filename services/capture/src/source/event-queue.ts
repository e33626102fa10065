import type { SourceEvent } from './binlog-reader.ts';
import { eventMemoryBytes as size } from './event-cost.ts';

/**
 * The queue between the binlog reader and the pipeline, bounded in memory bytes (design contract 8):
 * above maxBytes it asks the reader to pause, and resumes it below half of that. Single consumer.
 */
export class EventQueue {
  private readonly maxBytes: number;
  private readonly pause: () => void;
  private readonly resume: () => void;
  private items: SourceEvent[] = [];
  private head = 0;
  private queued = 0;
  private paused = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(opts: { maxBytes: number; pause: () => void; resume: () => void }) {
    this.maxBytes = opts.maxBytes;
    this.pause = opts.pause;
    this.resume = opts.resume;
  }

  get bytes(): number {
    return this.queued;
  }

  push(e: SourceEvent): void {
    this.items.push(e);
    this.queued += size(e);
    if (!this.paused && this.queued > this.maxBytes) {
      this.paused = true;
      this.pause();
    }
    this.wake?.();
  }

  /** The next event, or undefined once closed. */
  async next(): Promise<SourceEvent | undefined> {
    while (this.head >= this.items.length) {
      if (this.closed) return undefined;
      await new Promise<void>((r) => {
        this.wake = r;
      });
      this.wake = undefined;
    }
    const e = this.items[this.head++] as SourceEvent;
    // Compact now and then instead of shift(), which is O(n) per call.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.queued -= size(e);
    if (this.paused && this.queued < this.maxBytes / 2) {
      this.paused = false;
      this.resume();
    }
    return e;
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }
}
