import { type Logger, SluiceError } from '@sluice/core';
import type { SourceEvent } from '../source/binlog-reader.ts';

export type StatementDmlEvent = Extract<SourceEvent, { kind: 'statement' }>;

const names = (e: StatementDmlEvent): string =>
  e.tables.length ? e.tables.map((t) => `${t.database}.${t.table}`).join(', ') : 'tables it does not name';

/** The --tables argument of the repair: the tables, or every one when they are not named. */
const repair = (e: StatementDmlEvent): string =>
  e.tables.length ? e.tables.map((t) => `'${t.database}.${t.table}'`).join(',') : '<db.table,...>';

/** What happened, where, and what the operator can do: the message of SOURCE_STATEMENT_DML. */
export function statementDmlError(e: StatementDmlEvent): SluiceError {
  const what =
    e.verb === 'call'
      ? `a stored function call (SELECT/DO) that wrote ${names(e)}`
      : `${e.verb === 'create' ? 'CREATE TABLE ... SELECT' : e.verb === 'load' ? 'LOAD DATA' : e.verb.toUpperCase()} on ${names(e)}`;
  return new SluiceError(
    'SOURCE_STATEMENT_DML',
    `${what} reached the binlog as a statement, not as rows (the writing session used binlog_format STATEMENT or MIXED), ` +
      `at ${e.at.file}:${e.at.pos}${e.gtid ? ` (gtid ${e.gtid})` : ''}: the targets are missing that change. ` +
      'Make the writer use binlog_format=ROW; to go on past this event set source.onStatementDml: warn and restart ' +
      `the capture; then repair the targets with sluice verify --tables ${repair(e)} --fix apply.`,
  );
}

/**
 * The capture's answer to a DML statement event on captured tables (design contract 9: never
 * skipped without a trace). `stop`: throw SOURCE_STATEMENT_DML, so that the checkpoint never
 * passes the event and every restart stops there again. `warn`: log it at error level with the
 * tables and the position, count it, go on.
 */
export function statementDmlPolicy(opts: {
  policy: 'stop' | 'warn';
  log: Logger;
  count: (verb: string) => void;
}): (e: StatementDmlEvent) => void {
  return (e) => {
    const err = statementDmlError(e);
    if (opts.policy === 'stop') throw err;
    opts.count(e.verb);
    opts.log.error(
      {
        code: err.code,
        tables: e.tables.map((t) => `${t.database}.${t.table}`),
        verb: e.verb,
        position: `${e.at.file}:${e.at.pos}`,
        gtid: e.gtid,
      },
      `passed over (source.onStatementDml: warn): ${err.message}`,
    );
  };
}
