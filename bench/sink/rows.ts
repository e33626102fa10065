import type { TableSchema } from '@sluice/core';

export const BENCH_TABLE = 'events';

/** The bench table as capture would read it from a MariaDB source's information_schema. */
export function benchTable(database: string): TableSchema {
  return {
    database,
    table: BENCH_TABLE,
    columns: [
      { name: 'id', sqlType: 'bigint(20)', nullable: false },
      { name: 'a', sqlType: 'int(11)', nullable: true },
      { name: 'b', sqlType: 'varchar(64)', nullable: true, charset: 'utf8mb4', collation: 'utf8mb4_general_ci' },
      { name: 'c', sqlType: 'decimal(12,2)', nullable: true },
      { name: 'd', sqlType: 'datetime(6)', nullable: true },
    ],
    primaryKey: ['id'],
  };
}

/**
 * Row `id` as MySQL text, in column order: the values the capture reads from the binlog and the
 * sink binds (strings, as its codecs give them), so the plain loop binds exactly the same. Values
 * vary in size like real data (the same rows as bench/capture's backlog).
 */
export function rowText(id: number): [string, string, string, string, string] {
  const d = new Date(Date.UTC(2024, 0, 1) + id * 1_003).toISOString().replace('T', ' ').replace('Z', '');
  return [
    String(id),
    String((id * 7_919) % 2_000_000_000),
    `row ${id} ${'abcdefghij'.repeat(1 + (id % 5))}`.slice(0, 64),
    `${id % 10_000_000}.${String(id % 100).padStart(2, '0')}`,
    `${d}${String(id % 1000).padStart(3, '0')}`,
  ];
}

/**
 * What a correct copy of rows 1..n must sum to, computed on the server for the sink's table and
 * for the plain table: equal aggregates on both sides mean both hold the same rows.
 */
export const AGGREGATE_SQL = (qualifiedTable: string): string =>
  `SELECT COUNT(*) AS n, CAST(SUM(a) AS CHAR) AS sa, CAST(SUM(c) AS CHAR) AS sc, SUM(LENGTH(b)) AS lb, CAST(MAX(d) AS CHAR) AS md FROM ${qualifiedTable}`;
