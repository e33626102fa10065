import { redactSql, SluiceError } from '@sluice/core';

/** The target's own words for a refusal: its message and error number, as the server gave them. */
export function targetErrorOf(err: unknown, fallback: string): string {
  const e = err as { errno?: number; sqlMessage?: string } | undefined;
  return e?.sqlMessage ? `${e.sqlMessage} (${e.errno ?? '?'})` : fallback;
}

/** A DDL statement the target refused (not retriable): the statement and the target's own words. */
export class RejectedStatement extends SluiceError {
  readonly sql: string;
  readonly targetError: string;

  constructor(sql: string, cause: unknown, fallback: string) {
    const targetError = targetErrorOf(cause, fallback);
    super('DDL_REJECTED', `${redactSql(sql)} failed: ${targetError}`, { cause });
    this.sql = sql;
    this.targetError = targetError;
  }
}

export interface Rejection {
  sink: string;
  target: { database: string; table: string };
  /** The source table the change comes from (routes rename and merge). */
  source: { database: string; table: string } | undefined;
  position: string | undefined;
  ddlId: string;
  statements: string[];
  failed: RejectedStatement;
  /** The statements were the operator's replacement. */
  replacement?: boolean;
}

const name = (t: { database: string; table: string }) => `${t.database}.${t.table}`;
/** A table name as `sluice ddl --table` reads it: backticks when it has dots, spaces or backticks. */
export const tableArg = (t: { database: string; table: string }): string => {
  const part = (s: string) => (/^[^.`\s]+$/u.test(s) ? s : `\`${s.replaceAll('`', '``')}\``);
  return `${part(t.database)}.${part(t.table)}`;
};

/**
 * The DDL_REJECTED a sink stops with: which sink, which target table cannot follow which source
 * table from which position, the change's id, the statements (secrets redacted) and the target's
 * error, and the operator's two ways on.
 */
export function rejectionMessage(r: Rejection): string {
  const table = tableArg(r.target);
  const args = `--sink ${r.sink} --table '${table}' --id ${r.ddlId}`;
  const what = r.replacement ? 'the replacement recorded for DDL' : 'DDL';
  // The whole change only when it is more than the statement that failed.
  const others = r.statements.filter((sql) => sql !== r.failed.sql);
  return (
    `sink ${r.sink}: target table ${name(r.target)} cannot follow source table ${r.source ? name(r.source) : '?'} ` +
    `(change at ${r.position ?? 'unknown position'}): the target refused ${what} ${r.ddlId}: ` +
    `${others.length ? `${r.statements.map(redactSql).join('; ')} — ` : ''}${redactSql(r.failed.sql)} failed: ${r.failed.targetError}. ` +
    `Fix the target table by hand and restart the sink, or decide and restart: ` +
    `sluice ddl skip ${args} (leave the table as it is, write the columns it has), or ` +
    `sluice ddl replace ${args} --sql '<statement>' (run yours instead); sluice ddl list --sink ${r.sink} shows it`
  );
}

export const rejectionError = (r: Rejection): SluiceError =>
  new SluiceError('DDL_REJECTED', rejectionMessage(r), { cause: r.failed });

/**
 * A DDL the target refused (a marker's action included) is not a row: no dead-lettering gets past it, whatever onError says.
 * Nor does a failed TLS connection to the target (TLS_FAILED): no row of the batch was refused.
 */
export const stopsSink = (e: SluiceError): boolean =>
  e.code === 'DDL_REJECTED' ||
  e.code === 'PARTITION_DDL_UNSUPPORTED' ||
  e.code === 'TARGET_RENAME_CONFLICT' ||
  e.code === 'TLS_FAILED';
