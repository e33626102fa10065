import { type Logger, SluiceError } from '@sluice/core';
import type { SourceEvent } from '../source/binlog-reader.ts';
import { eventPolicy } from './event-policy.ts';

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

/** The policy of source.onPartialRowImage (event-policy.ts); `count` gets the table. */
export function partialRowImagePolicy(opts: {
  policy: 'stop' | 'warn';
  log: Logger;
  count: (table: string) => void;
}): (e: PartialRowsEvent) => void {
  return eventPolicy<PartialRowsEvent>({
    policy: opts.policy,
    setting: 'source.onPartialRowImage',
    log: opts.log,
    error: partialRowsError,
    fields: (e) => ({ table: `${e.database}.${e.table}`, position: `${e.at.file}:${e.at.pos}`, gtid: e.gtid }),
    count: (e) => opts.count(`${e.database}.${e.table}`),
  });
}
