import { SluiceError } from '@sluice/core';
import type { Pool, RowDataPacket } from 'mysql2/promise';

export type Flavor = 'mariadb' | 'mysql';

export interface SourceFacts {
  flavor: Flavor;
  version: string;
  serverId: number;
  /** SHOW GLOBAL VARIABLES, lower-cased names. */
  vars: Record<string, string>;
  grants: string[];
}

/**
 * What is wrong with a source for capture, each as a sentence that says which setting to change.
 * Warnings do not stop capture; problems do.
 */
export function checkSource(f: SourceFacts): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const v = (name: string) => (f.vars[name] ?? '').toUpperCase();
  const want = (name: string, value: string) => {
    if (v(name) !== value)
      problems.push(
        `${name} is ${f.vars[name] ?? 'unset'}, capture needs ${value}: SET GLOBAL ${name}=${value} and put ${name}=${value} in the server's config`,
      );
  };
  if (v('log_bin') !== 'ON' && v('log_bin') !== '1')
    problems.push('log_bin is OFF: start the server with log-bin (the binlog is what capture reads)');
  want('binlog_format', 'ROW');
  want('binlog_row_image', 'FULL');
  if (f.vars.binlog_row_metadata === undefined) {
    warnings.push(`binlog_row_metadata does not exist on ${f.version}: column names are read from information_schema`);
  } else {
    want('binlog_row_metadata', 'FULL');
  }
  // MySQL 8 can log JSON updates as diffs and whole transactions compressed; neither decodes.
  if (v('binlog_row_value_options').includes('PARTIAL_JSON'))
    problems.push(
      "binlog_row_value_options is PARTIAL_JSON, capture needs it empty: SET GLOBAL binlog_row_value_options='' and put it in the server's config",
    );
  if (v('binlog_transaction_compression') === 'ON' || v('binlog_transaction_compression') === '1')
    problems.push(
      "binlog_transaction_compression is ON, capture needs OFF: SET GLOBAL binlog_transaction_compression=OFF and put it in the server's config",
    );
  if (f.flavor === 'mysql' && v('gtid_mode') !== 'ON') {
    warnings.push(
      'gtid_mode is not ON: capture resumes by binlog file and position, which does not survive a failover to a replica',
    );
  }
  const all = f.grants.join('\n').toUpperCase();
  const has = (p: string) =>
    all.includes('ALL PRIVILEGES ON *.*') || new RegExp(`GRANT [^\\n]*\\b${p}\\b[^\\n]* ON \\*\\.\\*`).test(all);
  if (!has('REPLICATION SLAVE') && !has('REPLICATION REPLICA'))
    problems.push('the capture user lacks REPLICATION SLAVE on *.*: GRANT REPLICATION SLAVE ON *.* TO <user>');
  const monitor = f.flavor === 'mariadb' ? ['BINLOG MONITOR', 'REPLICATION CLIENT', 'SUPER'] : ['REPLICATION CLIENT', 'SUPER'];
  if (!monitor.some(has)) problems.push(`the capture user lacks ${monitor[0]} on *.*: GRANT ${monitor[0]} ON *.* TO <user>`);
  if (!has('SELECT'))
    warnings.push('the capture user has no global SELECT: table definitions and snapshots need SELECT on captured tables');
  return { problems, warnings };
}

export async function readSourceFacts(pool: Pool): Promise<SourceFacts> {
  const [[row]] = await pool.query<RowDataPacket[]>('SELECT @@version AS version, @@server_id AS server_id');
  const version = String(row?.version);
  const [vars] = await pool.query<RowDataPacket[]>(
    `SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin','binlog_format','binlog_row_image','binlog_row_metadata','gtid_mode','gtid_strict_mode','max_allowed_packet','binlog_row_value_options','binlog_transaction_compression')`,
  );
  const [grants] = await pool.query<RowDataPacket[]>({ sql: 'SHOW GRANTS', rowsAsArray: true });
  return {
    flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql',
    version,
    serverId: Number(row?.server_id),
    vars: Object.fromEntries(vars.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)])),
    grants: (grants as unknown as string[][]).map((g) => String(g[0])),
  };
}

/** Start-up check: throws SOURCE_SETTING naming every setting to change. */
export function assertSourceReady(f: SourceFacts, warn: (msg: string) => void): void {
  const { problems, warnings } = checkSource(f);
  for (const w of warnings) warn(w);
  if (problems.length) {
    throw new SluiceError('SOURCE_SETTING', `the source cannot be captured:\n  - ${problems.join('\n  - ')}`);
  }
}
