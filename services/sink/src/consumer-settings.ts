import type { ConsumerOptions } from '@sluice/core';

/** How a sink's consumer reads (the bench's consumer ceiling reads the same way). */
export const consumerSettings = (groupId: string): ConsumerOptions => ({
  groupId,
  readUncommitted: false,
  // A crashed sink's partitions move to its successor once this session times out.
  sessionTimeout: 10_000,
  heartbeatInterval: 1_000,
  // kafkajs fetches the next batch only once the last is applied: a larger batch spreads that
  // pause, and the apply's last chunk that nothing overlaps, over more records (the 1M-record
  // bench into MariaDB: 13.6 s with 1 MiB, 10.8 s with 8 MiB). Bounded: 32 MiB per fetch.
  maxBytesPerPartition: 8 << 20,
  maxBytes: 32 << 20,
  // A fetch with nothing to return waits this long (kafkajs' default is 5 s): a partition resumed
  // after a wait (a rename, a DDL barrier) is fetched again within this, not after 5 s of idling.
  maxWaitTimeInMs: 500,
});
