import { type Logger, SluiceError } from '@sluice/core';
import type { SourceEvent } from '../source/binlog-reader.ts';
import { eventPolicy } from './event-policy.ts';

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

/** The policy of source.onStatementDml (event-policy.ts); `count` gets the verb. */
export function statementDmlPolicy(opts: {
  policy: 'stop' | 'warn';
  log: Logger;
  count: (verb: string) => void;
}): (e: StatementDmlEvent) => void {
  return eventPolicy<StatementDmlEvent>({
    policy: opts.policy,
    setting: 'source.onStatementDml',
    log: opts.log,
    error: statementDmlError,
    fields: (e) => ({
      tables: e.tables.map((t) => `${t.database}.${t.table}`),
      verb: e.verb,
      position: `${e.at.file}:${e.at.pos}`,
      gtid: e.gtid,
    }),
    count: (e) => opts.count(e.verb),
  });
}
