import { describe, expect, it } from 'vitest';
import { canonicalPartitioning, isSingleClause, partitionClause } from './partitioning.ts';

const MARIADB = `CREATE TABLE \`t\` (
  \`id\` int(11) NOT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='PARTITION BY nothing'
 PARTITION BY RANGE (\`id\`)
(PARTITION \`p0\` VALUES LESS THAN (100) ENGINE = InnoDB,
 PARTITION \`p1\` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)`;
const MYSQL = `CREATE TABLE \`t\` (
  \`id\` int NOT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1
/*!50100 PARTITION BY RANGE (\`id\`)
(PARTITION p0 VALUES LESS THAN (100) ENGINE = InnoDB,
 PARTITION p1 VALUES LESS THAN MAXVALUE ENGINE = InnoDB) */`;
const TIDB = `CREATE TABLE \`t\` (
  \`id\` int NOT NULL,
  PRIMARY KEY (\`id\`) /*T![clustered_index] CLUSTERED */
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_bin
PARTITION BY RANGE (\`id\`)
(PARTITION \`p0\` VALUES LESS THAN (100),
 PARTITION \`p1\` VALUES LESS THAN (MAXVALUE))`;

describe('partitionClause', () => {
  it('reads the clause of each server without version comments and engines', () => {
    expect(partitionClause(MARIADB)).toBe(
      'PARTITION BY RANGE (`id`)\n(PARTITION `p0` VALUES LESS THAN (100),\n PARTITION `p1` VALUES LESS THAN MAXVALUE)',
    );
    expect(partitionClause(MYSQL)).toBe(
      'PARTITION BY RANGE (`id`)\n(PARTITION p0 VALUES LESS THAN (100),\n PARTITION p1 VALUES LESS THAN MAXVALUE)',
    );
    expect(partitionClause("CREATE TABLE `t` (\n  `id` int\n) COMMENT='PARTITION BY x'")).toBeUndefined();
  });
  it('compares the same partitioning as equal across servers', () => {
    const all = [MARIADB, MYSQL, TIDB].map((s) => canonicalPartitioning(partitionClause(s)));
    expect(new Set(all).size).toBe(1);
  });
  it('accepts one clause only', () => {
    expect(isSingleClause(partitionClause(MARIADB) as string)).toBe(true);
    expect(isSingleClause('PARTITION BY HASH (id); DROP TABLE x')).toBe(false);
    expect(isSingleClause('PARTITION BY HASH (id) /* x */')).toBe(false);
    expect(isSingleClause('PARTITION BY HASH (id))')).toBe(false);
    expect(isSingleClause('DROP TABLE x')).toBe(false);
  });
});
