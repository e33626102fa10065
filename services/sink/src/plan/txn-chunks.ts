import type { ConsumedRecord } from '@sluice/core';

/**
 * Records per target transaction. Large enough for multi-row statements to pay off, small enough
 * that a fetched batch (up to 8 MiB, thousands of records) makes several chunks to overlap.
 */
export const TXN_RECORDS = 2_048;

/**
 * Where the target transaction that starts at `from` ends: after TXN_RECORDS records, or before
 * the record that takes the keys and values past maxBytes (a larger single record goes alone).
 * Record bytes stand in for the transaction's size in the target (TiDB refuses one over its
 * txn-total-size-limit, 100 MB by default).
 */
export function chunkEnd(messages: Pick<ConsumedRecord, 'key' | 'value'>[], from: number, maxBytes: number): number {
  const last = Math.min(messages.length, from + TXN_RECORDS);
  let bytes = 0;
  for (let i = from; i < last; i++) {
    bytes += (messages[i]?.value?.length ?? 0) + (messages[i]?.key?.length ?? 0);
    if (bytes > maxBytes && i > from) return i;
  }
  return last;
}
