/**
 * `work`, or a rejection after `ms`: for a best-effort write to a component that may be the very
 * one not answering (a sink's stop row in its target, a capture's state note in Kafka). The work
 * itself is not cancelled; only the wait for it ends.
 */
export function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
