import { describe, expect, it } from 'vitest';
import { checkSource, type SourceFacts } from './source-checks.ts';

const good: SourceFacts = {
  flavor: 'mariadb',
  version: '10.11.6-MariaDB',
  serverId: 1,
  vars: { log_bin: 'ON', binlog_format: 'ROW', binlog_row_image: 'FULL', binlog_row_metadata: 'FULL' },
  grants: ["GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `sluice`@`%` IDENTIFIED BY PASSWORD '*X'"],
};

describe('checkSource', () => {
  it('accepts a correctly configured MariaDB', () => {
    expect(checkSource(good)).toEqual({ problems: [], warnings: [] });
  });

  it('names each setting to change', () => {
    const { problems } = checkSource({ ...good, vars: { ...good.vars, binlog_format: 'MIXED', binlog_row_metadata: 'MINIMAL' } });
    expect(problems).toEqual([
      expect.stringMatching(/^binlog_format is MIXED, capture needs ROW: SET GLOBAL binlog_format=ROW/),
      expect.stringMatching(/^binlog_row_metadata is MINIMAL, capture needs FULL/),
    ]);
  });

  it('refuses MySQL 8 settings whose events cannot be decoded', () => {
    const { problems } = checkSource({
      ...good,
      vars: { ...good.vars, binlog_row_value_options: 'PARTIAL_JSON', binlog_transaction_compression: 'ON' },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^binlog_row_value_options is PARTIAL_JSON, capture needs it empty/),
      expect.stringMatching(/^binlog_transaction_compression is ON, capture needs OFF/),
    ]);
    expect(
      checkSource({ ...good, vars: { ...good.vars, binlog_row_value_options: '', binlog_transaction_compression: 'OFF' } })
        .problems,
    ).toEqual([]);
  });

  it('names missing grants', () => {
    const { problems } = checkSource({ ...good, grants: ['GRANT SELECT ON *.* TO `x`@`%`'] });
    expect(problems).toEqual([
      expect.stringContaining('lacks REPLICATION SLAVE'),
      expect.stringContaining('lacks BINLOG MONITOR'),
    ]);
  });

  it('warns when MySQL runs without GTIDs, and accepts ALL PRIVILEGES', () => {
    const r = checkSource({
      ...good,
      flavor: 'mysql',
      vars: { ...good.vars, gtid_mode: 'OFF' },
      grants: ['GRANT ALL PRIVILEGES ON *.* TO `root`@`%`'],
    });
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([expect.stringContaining('gtid_mode is not ON')]);
  });
});
