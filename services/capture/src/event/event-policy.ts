import type { Logger, SluiceError } from '@sluice/core';

/**
 * The capture's answer to a binlog event whose change it cannot publish (design contract 9: never
 * skipped without a trace). `stop`: throw the event's error, in binlog order, so that the
 * checkpoint never passes the event and every restart stops there again. `warn`: log it at error
 * level with where it is, count it, go on without it.
 */
export function eventPolicy<E>(opts: {
  policy: 'stop' | 'warn';
  /** The setting that chose the policy, named in the log line. */
  setting: string;
  log: Logger;
  error: (e: E) => SluiceError;
  /** What the log line says of the event besides its code (tables, position, gtid). */
  fields: (e: E) => Record<string, unknown>;
  count: (e: E) => void;
}): (e: E) => void {
  return (e) => {
    const err = opts.error(e);
    if (opts.policy === 'stop') throw err;
    opts.count(e);
    opts.log.error({ code: err.code, ...opts.fields(e) }, `passed over (${opts.setting}: warn): ${err.message}`);
  };
}
