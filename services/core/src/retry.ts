import { isRetriable } from './errors.ts';

/**
 * Runs fn until it succeeds, retrying only errors marked retriable, with full-jitter exponential
 * backoff capped at maxDelayMs. Gives up after `attempts` tries (Infinity: until `signal` aborts).
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: {
    attempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    signal?: AbortSignal;
    onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  } = {},
): Promise<T> {
  const { attempts = Number.POSITIVE_INFINITY, baseDelayMs = 200, maxDelayMs = 10_000 } = opts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetriable(err) || attempt >= attempts || opts.signal?.aborted) throw err;
      const delay = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      opts.onRetry?.(err, attempt, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
