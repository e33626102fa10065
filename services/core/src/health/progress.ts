/** What a service depends on to make progress; readiness names the one that stops it. */
export type Component = 'kafka' | 'target' | 'registry' | 'source';

/** Default grace period: a component failing for less than this does not make the service unready. */
export const READY_GRACE_MS = 5_000;

/** One component's outcome hooks, for the code that talks to it (a client, a writer, a reader). */
export interface OperationWatch {
  /** An operation started (only its lasting longer than the grace period counts, without an outcome). */
  begin(): void;
  /** An operation succeeded: the component answers, whatever the answer's content. */
  ok(): void;
  /** An operation failed because the component could not be reached or did not answer. */
  failed(err: unknown): void;
}

interface State {
  /** First failure since the last success. */
  failingSince?: number;
  /** Oldest operation begun and not yet ended since the last outcome. */
  pendingSince?: number;
  lastError?: string;
  /** Completed outages, in ms. */
  downMs: number;
}

/**
 * Whether a service makes progress, from the outcomes of its own operations (a fetch, a heartbeat,
 * a target query, a registry call, the binlog connection), never from row counts: an idle service
 * that is connected is ready. A component is disconnected from its first failure (or from the start
 * of an operation that has had no outcome for the grace period) until its next success; the
 * service is unready while a component has been disconnected for at least the grace period.
 * Operations are not counted one by one: only the oldest begun since the last outcome. Pure: time
 * comes from `now`.
 */
export class ProgressMonitor {
  readonly graceMs: number;
  private readonly now: () => number;
  private readonly states = new Map<Component, State>();

  constructor(opts: { graceMs?: number; now?: () => number } = {}) {
    this.graceMs = opts.graceMs ?? READY_GRACE_MS;
    this.now = opts.now ?? Date.now;
  }

  private state(c: Component): State {
    let s = this.states.get(c);
    if (!s) {
      s = { downMs: 0 };
      this.states.set(c, s);
    }
    return s;
  }

  begin(c: Component): void {
    const s = this.state(c);
    s.pendingSince ??= this.now();
  }

  ok(c: Component): void {
    const s = this.state(c);
    const now = this.now();
    const since = this.since(s, now);
    if (since !== undefined) s.downMs += now - since;
    s.failingSince = undefined;
    s.pendingSince = undefined;
  }

  failed(c: Component, err: unknown): void {
    const s = this.state(c);
    const now = this.now();
    // An operation that had no answer since it began and now fails: disconnected since it began.
    s.failingSince ??= Math.min(now, s.pendingSince ?? now);
    s.pendingSince = undefined;
    s.lastError = errorCode(err);
  }

  /** Hooks bound to one component. */
  watch(c: Component): OperationWatch {
    return { begin: () => this.begin(c), ok: () => this.ok(c), failed: (err) => this.failed(c, err) };
  }

  /**
   * When the component's current disconnection began, if it is disconnected: at its first failure,
   * or at the start of an operation that has had no answer for the grace period (a slow answer
   * within it is latency, not disconnection).
   */
  private since(s: State, now: number): number | undefined {
    const pending = s.pendingSince !== undefined && now - s.pendingSince >= this.graceMs ? s.pendingSince : undefined;
    if (s.failingSince === undefined) return pending;
    return pending === undefined ? s.failingSince : Math.min(s.failingSince, pending);
  }

  /** Whether the component is disconnected now (grace or not): the metrics' current state. */
  disconnected(c: Component): boolean {
    const s = this.states.get(c);
    return s !== undefined && this.since(s, this.now()) !== undefined;
  }

  /** Total time the component has been disconnected, the current disconnection included. */
  disconnectedMs(c: Component): number {
    const s = this.states.get(c);
    if (!s) return 0;
    const now = this.now();
    const since = this.since(s, now);
    return s.downMs + (since === undefined ? 0 : now - since);
  }

  /** Components seen so far. */
  components(): Component[] {
    return [...this.states.keys()];
  }

  /** Ready unless a component has been disconnected for the grace period; the reason names it. */
  readiness(): { ok: boolean; reason?: string } {
    const now = this.now();
    const down: string[] = [];
    for (const [c, s] of this.states) {
      const since = this.since(s, now);
      if (since === undefined || now - since < this.graceMs) continue;
      const what = s.failingSince === undefined ? 'no answer' : `last error ${s.lastError ?? 'unknown'}`;
      down.push(`${c} unreachable for ${Math.round((now - since) / 1000)} s (${what})`);
    }
    return down.length ? { ok: false, reason: down.join('; ') } : { ok: true };
  }
}

/** The code of a SluiceError, else a library's error code or name: what readiness reports. */
function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | undefined;
  if (e && typeof e.code === 'string') return e.code;
  if (e && typeof e.name === 'string') return e.name;
  return 'unknown';
}
