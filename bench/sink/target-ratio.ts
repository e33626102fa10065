/** The targets for sink rows/s over the plain upsert loop's, per target kind. */
export const SINK_RATIO = { mariadb: 0.7, tidb: 0.9 } as const;
