/** One freshness sample of a sink's target: when (ms) and how old the target was (s), null if unknown. */
export type FreshnessPoint = [atMs: number, seconds: number | null];

/** One sink's samples, oldest first. */
export interface SinkFreshness {
  sink: string;
  points: FreshnessPoint[];
}

/** What `/api/history` answers: the freshness of every sink's target over the window, and the sampler's state. */
export interface UiHistory {
  now: number;
  windowMs: number;
  intervalMs: number;
  freshness: SinkFreshness[];
  /** The last collection failed (the report shown is older): when and why. */
  lastError: { at: string; message: string } | null;
}

/** A fixed-size ring: the newest `capacity` values, oldest first. */
export class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;
  readonly capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a whole number >= 1, got ${capacity}`);
    this.capacity = capacity;
  }

  push(v: T): void {
    if (this.items.length < this.capacity) this.items.push(v);
    else this.items[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  values(): T[] {
    return this.items.length < this.capacity
      ? [...this.items]
      : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }

  get size(): number {
    return this.items.length;
  }
}

/**
 * Target freshness per sink over the last `windowMs`, kept in memory by the ui process: one ring
 * per sink, sized for the window at the sampling interval (a sample every 5 s for an hour is 720
 * points), so memory stays bounded however long it runs. A sink that no longer appears is
 * forgotten once its samples are all older than the window.
 */
export class FreshnessHistory {
  private readonly rings = new Map<string, Ring<FreshnessPoint>>();
  readonly windowMs: number;
  readonly capacity: number;

  constructor(windowMs: number, intervalMs: number) {
    this.windowMs = windowMs;
    this.capacity = Math.ceil(windowMs / Math.max(1, intervalMs)) + 1;
  }

  add(atMs: number, sinks: { name: string; freshnessSeconds: number | null }[]): void {
    for (const s of sinks) {
      let ring = this.rings.get(s.name);
      if (!ring) {
        ring = new Ring(this.capacity);
        this.rings.set(s.name, ring);
      }
      ring.push([atMs, s.freshnessSeconds]);
    }
  }

  /** Each sink's samples within the window ending at `nowMs`, oldest first; sinks by name. */
  series(nowMs: number): SinkFreshness[] {
    const from = nowMs - this.windowMs;
    const out: SinkFreshness[] = [];
    for (const [sink, ring] of this.rings) {
      const points = ring.values().filter(([t]) => t >= from);
      if (points.length) out.push({ sink, points });
      else this.rings.delete(sink);
    }
    return out.sort((a, b) => (a.sink < b.sink ? -1 : a.sink > b.sink ? 1 : 0));
  }
}
