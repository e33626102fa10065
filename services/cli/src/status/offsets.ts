import type { SinkGroup } from './sink-status.ts';

// Pure, without imports at run time: `sluice ui` serves this module to the browser as well.

/**
 * A table partition is caught up when at most one offset is left: the commit marker that closes the
 * last Kafka transaction capture wrote takes an offset of its own and is never delivered.
 */
export const behind = (g: SinkGroup) => g.partitions.filter((p) => !p.heartbeat && p.lag > 1);

/** Offsets left to apply on the table topics, not counting that closing marker. */
export const toApply = (g: SinkGroup): number => behind(g).reduce((n, p) => n + p.lag - 1, 0);
