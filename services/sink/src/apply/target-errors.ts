import { isNetworkError, SluiceError, tlsFailure } from '@sluice/core';

/** Server error numbers that a retry can cure. Classified by code, never by message text. */
const TRANSIENT = new Set([
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK
  8002, // TiDB: write conflict (SELECT FOR UPDATE)
  8022, // TiDB: transaction retry error
  8028, // TiDB: schema changed (information schema is changed during the transaction)
  9007, // TiDB: write conflict
  9004, // TiDB: resolve lock timeout (a conflicting transaction's lock outlived the wait)
  1105, // TiDB unknown error, often a TiKV/region hiccup
]);

/** Server and client error numbers that mean "the target is not reachable". */
const UNAVAILABLE_ERRNO = new Set([
  2002, // CR_CONNECTION_ERROR
  2003, // CR_CONN_HOST_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
  1040, // ER_CON_COUNT_ERROR
  1053, // ER_SERVER_SHUTDOWN
  1927, // ER_CONNECTION_KILLED (MariaDB)
]);

/** What the operator can do about a refusal the target explains only in its own terms. */
const HINTS: Record<number, string> = {
  8025: "TiDB refuses a row over txn-entry-size-limit (6 MiB by default): raise performance.txn-entry-size-limit in TiDB's config (and TiKV's raft-entry-max-size), or exclude or route the table",
  1153: "the target's max_allowed_packet is smaller than the row: raise it on the target",
  1301: "the target's max_allowed_packet is smaller than a value: raise it on the target",
};

/** The server's error number of an error, or of the driver error a SluiceError wraps (NaN when none). */
export const errnoOf = (err: unknown): number =>
  Number(((err instanceof SluiceError ? err.cause : err) as { errno?: number })?.errno);

export function classifyTargetError(err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  const e = err as { errno?: number; code?: string; message?: string; sqlMessage?: string };
  const detail = e.sqlMessage ?? e.message ?? String(err);
  const tls = tlsFailure(err, 'the target', 'target.tls');
  if (tls) return tls;
  if (isNetworkError(e) || (e.errno && UNAVAILABLE_ERRNO.has(e.errno))) {
    return new SluiceError('TARGET_UNAVAILABLE', `target unreachable: ${detail}`, { cause: err });
  }
  if (e.errno && TRANSIENT.has(e.errno)) {
    return new SluiceError('TARGET_TRANSIENT', `transient target error ${e.errno}: ${detail}`, { cause: err });
  }
  const hint = e.errno ? HINTS[e.errno] : undefined;
  return new SluiceError(
    'TARGET_REJECTED',
    `target rejected the batch (${e.errno ?? e.code ?? '?'}): ${detail}${hint ? `; ${hint}` : ''}`,
    {
      cause: err,
    },
  );
}
