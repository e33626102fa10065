import { type Logger, SluiceError } from '@sluice/core';
import type { SourceEvent } from '../source/binlog-reader.ts';

export type PartialRowsEvent = Extract<SourceEvent, { kind: 'partial_rows' }>;

/** What happened, where, and what the operator can do: the message of SOURCE_PARTIAL_ROW_IMAGE. */
export function partialRowsError(e: PartialRowsEvent): SluiceError {
  return new SluiceError(
    'SOURCE_PARTIAL_ROW_IMAGE',
    `rows of ${e.database}.${e.table} at ${e.at.file}:${e.at.pos}${e.gtid ? ` (gtid ${e.gtid})` : ''} were logged without all their ` +
      'columns (the writing session set binlog_row_image MINIMAL or NOBLOB), so the change cannot be published exactly: ' +
      'the targets are missing it. Make the writer keep binlog_row_image=FULL; to go on past this event set ' +
      `source.onPartialRowImage: warn and restart the capture; then repair the targets with sluice verify --tables '${e.database}.${e.table}' --fix apply.`,
  );
}

/**
 * The capture's answer to rows logged without all their columns (design contract 9: never skipped
 * without a trace). `stop`: throw SOURCE_PARTIAL_ROW_IMAGE in binlog order, so the checkpoint never
 * passes the event and every restart stops there again. `warn`: log it at error level, count it,
 * go on without those rows.
 */
export function partialRowImagePolicy(opts: {
  policy: 'stop' | 'warn';
  log: Logger;
  count: (table: string) => void;
}): (e: PartialRowsEvent) => void {
  return (e) => {
    const err = partialRowsError(e);
    if (opts.policy === 'stop') throw err;
    opts.count(`${e.database}.${e.table}`);
    opts.log.error(
      { code: err.code, table: `${e.database}.${e.table}`, position: `${e.at.file}:${e.at.pos}`, gtid: e.gtid },
      `passed over (source.onPartialRowImage: warn): ${err.message}`,
    );
  };
}
